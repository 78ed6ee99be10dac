package web

// Exported for the external tests.
var FmtProportion = fmtProportion
var AuditDetails = auditDetails
