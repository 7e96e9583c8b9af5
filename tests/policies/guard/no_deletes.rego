# A scenario fixture: nothing is destroyed without its owners' say; in-place changes are noted.
package terraform.guard

deny contains {"msg": msg, "metadata": {"ja": ja}} if {
	some rc in input.resource_changes
	"delete" in rc.change.actions
	msg := sprintf("%s would be destroyed", [rc.address])
	ja := sprintf("%s が削除されます", [rc.address])
}

warn contains msg if {
	some rc in input.resource_changes
	"update" in rc.change.actions
	msg := sprintf("%s changes in place", [rc.address])
}
