# SSH and RDP are not open to the internet.
package terraform.network

import rego.v1

admin_ports := {22, 3389}

open_to_world(rule) if "0.0.0.0/0" in rule.cidr_blocks

open_to_world(rule) if "::/0" in rule.ipv6_cidr_blocks

deny contains {"msg": msg, "metadata": {"ja": ja}} if {
	some rc in input.resource_changes
	rc.type == "aws_security_group_rule"
	rule := rc.change.after
	rule.type == "ingress"
	open_to_world(rule)
	some port in admin_ports
	rule.from_port <= port
	port <= rule.to_port
	msg := sprintf("%s opens port %d to the internet", [rc.address, port])
	ja := sprintf("%s がポート %d をインターネットに開放します", [rc.address, port])
}
