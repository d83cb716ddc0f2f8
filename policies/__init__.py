"""The webapp CrossGuard policy pack: one rule module per AWS service, built into a pack by ``pack``."""
