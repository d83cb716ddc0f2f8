"""The observability layer: alarms, the dashboard, the budget, log encryption and the audit trail."""
