"""The network layer: the VPC, its subnets and NAT (gateways or instances)."""
