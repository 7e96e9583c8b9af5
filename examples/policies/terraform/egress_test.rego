package terraform.egress_test

import rego.v1

import data.terraform.egress

change(type, actions) := {"resource_changes": [{"address": sprintf("%s.main", [type]), "type": type, "change": {"actions": actions}}]}

test_deleting_a_nat_gateway_is_denied if {
	some f in egress.deny with input as change("aws_nat_gateway", ["delete"])
	f.msg == "aws_nat_gateway.main would be deleted: traffic through it stops"
}

test_replacing_a_load_balancer_is_allowed if {
	count(egress.deny) == 0 with input as change("aws_lb", ["create", "delete"])
}

test_deleting_a_route_is_allowed if {
	count(egress.deny) == 0 with input as change("aws_route", ["delete"])
}
