// Package pathway is the rules engine that turns a learner's verified
// credentials into progress along stacking pathways and into academic
// credit at an institution. It does no I/O: callers hand it definitions
// (pathways, articulation schemes, a credit conversion) and the learner's
// credentials as plain values, and get back an Audit that explains every
// figure line by line.
//
// # Pathways
//
// A Pathway is a versioned tree of rules that, once satisfied, earns a
// larger credential. Its rules are
//
//   - credential: one credential matching a Match (an issuer DID and an
//     achievement id, or a credit recommendation's framework, minimum
//     amount and level), optionally with a result condition;
//   - allOf: every child rule;
//   - nOf: at least N of the child rules;
//   - minCredits: at least a number of credits, in one unit, from the
//     credentials matching the child credential rules;
//   - pathway: another pathway, completed (nested pathways).
//
// Any rule may name prerequisites (other rules of the same pathway that
// must be complete too) and a time limit (WithinDays: the credentials it
// counts must all have been issued within that many days of each other).
//
// A credential counts towards every rule it matches: stackable credentials
// are meant to count at several levels at once. Within one rule the same
// achievement counts once, however often it was earned.
//
// # Credit articulation
//
// A Scheme maps achievements — the institution's own and other issuers' —
// to the institution's courses and credits for one program or degree.
// Each ArticulationRule matches as a pathway rule does, adds an optional
// age limit, and awards a course and a fixed number of credits or the
// recommended amount converted into the institution's unit. Caps bound
// the credit from one group of rules (say, at most 18 US semester credit
// hours from micro-credentials towards one degree) and from the scheme as
// a whole. Rules are tried in order, the first matching one applies, the
// same course is never credited twice, and capped credit is given to
// credentials in the order they were issued.
//
// # Conversions
//
// Credits convert through the notional learning hours behind one credit
// of each unit (Conversion), rounded down to a step (half a credit by
// default) so that a converted figure never overstates the learning. The
// defaults, which an institution may replace:
//
//   - ECTS: 30 hours per credit. The ECTS Users' Guide (European
//     Commission, 2015, section 3.2) sets one credit at 25 to 30 hours of
//     workload, fixed nationally; 30 never overstates and matches the
//     figure the catalog uses (catalog.ECTSHoursPerCredit).
//   - US semester credit hour (unit "SCH"; ACE recommendations are in it):
//     45 hours. The US federal definition of a credit hour (34 CFR 600.2)
//     is one hour of classroom instruction and at least two hours of
//     out-of-class work each week for about fifteen weeks, 45 hours in all
//     (catalog.SemesterHourLearningHours).
//   - NCrF credit (India): 30 notional learning hours per credit, fixed by
//     the National Credit Framework (Ministry of Education, 2023).
//
// With these defaults one semester credit hour is 1.5 ECTS or 1.5 NCrF
// credits. Many European institutions instead count 2 ECTS per semester
// credit hour (a 30-credit US year against a 60-credit ECTS year); an
// institution that does sets HoursPerCredit[SCH] to 60.
//
// # Audit
//
// Audit evaluates every pathway and scheme against the credentials that
// verify on the audit date. A credential that is revoked, suspended,
// expired, not yet valid or invalid drops out, and one that could not be
// checked is held back without being called invalid; each such decision
// is a line of the audit. The audit is deterministic: credentials are
// deduplicated by id and sorted by issue date before anything is
// evaluated, so their order in the input never matters, and adding a
// verified credential never lowers any progress or credit figure (the
// property tests check both, and that caps always hold).
//
// WhatIf lists, for each pathway not yet complete, the fewest further
// credentials the engine can find that would complete it, and checks the
// suggestion by auditing again with those credentials added.
package pathway
