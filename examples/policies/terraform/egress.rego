# What carries traffic in or out of a network is not deleted in passing: a removed NAT gateway
# cuts its private subnets off the internet.
package terraform.egress

import rego.v1

traffic_types := {
	"aws_nat_gateway",
	"aws_internet_gateway",
	"aws_lb",
	"aws_vpn_connection",
	"aws_ec2_transit_gateway_vpc_attachment",
}

deny contains {"msg": msg, "metadata": {"ja": ja}} if {
	some rc in input.resource_changes
	rc.type in traffic_types
	rc.change.actions == ["delete"]
	msg := sprintf("%s would be deleted: traffic through it stops", [rc.address])
	ja := sprintf("%s が削除されます（経由する通信が止まります）", [rc.address])
}
