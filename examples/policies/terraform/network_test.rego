package terraform.network_test

import rego.v1

import data.terraform.network

rule(from, to, cidrs) := {"resource_changes": [{
	"address": "aws_security_group_rule.in",
	"type": "aws_security_group_rule",
	"change": {"actions": ["create"], "after": {"type": "ingress", "from_port": from, "to_port": to, "cidr_blocks": cidrs}},
}]}

test_ssh_from_anywhere_is_denied if {
	count(network.deny) == 1 with input as rule(22, 22, ["0.0.0.0/0"])
}

test_a_range_covering_rdp_is_denied if {
	count(network.deny) == 1 with input as rule(3000, 4000, ["0.0.0.0/0"])
}

test_ssh_from_the_office_is_allowed if {
	count(network.deny) == 0 with input as rule(22, 22, ["203.0.113.0/24"])
}

test_https_from_anywhere_is_allowed if {
	count(network.deny) == 0 with input as rule(443, 443, ["0.0.0.0/0"])
}
