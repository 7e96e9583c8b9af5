# A scenario fixture: a policy added after a plan was approved.
package terraform.names

warn contains msg if {
	some rc in input.resource_changes
	contains(rc.address, "-")
	msg := sprintf("%s: prefer underscores in names", [rc.address])
}
