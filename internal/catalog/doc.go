// Package catalog is the domain model of a micro-credential catalog entry:
// an Open Badges 3.0 Achievement together with transparent quality metadata,
// its validation, its conversion to the OB 3.0 JSON-LD Achievement, the
// credit frameworks it can carry credit in, search helpers, and the demo
// catalog.
//
// # EU micro-credential elements
//
// The Council Recommendation of 16 June 2022 on a European approach to
// micro-credentials for lifelong learning and employability (2022/C 243/02),
// Annex I, lists the mandatory information of a micro-credential:
// identification of the learner, title, country or region of the issuer,
// awarding body, date of issue, learning outcomes, notional workload (in ECTS
// credits wherever possible), level (EQF, where applicable), type of
// assessment, form of participation, and type of quality assurance. Optional
// elements include prerequisites, supervision and identity verification
// during assessment, grade, and integration or stackability options.
//
// An Achievement records every element that belongs to the catalog entry
// (the learner and date belong to the issued credential): LearningOutcomes,
// Workload (hours and ECTS), EQFLevel, Assessment (type, supervision,
// identity verification), Participation, QualityAssurance, Prerequisites,
// Country, Creator (awarding body), ResultDescription (grades) and StacksInto.
// India's National Skills Qualifications Framework level (NSQFLevel, levels
// 1–10, NSQF notification of 27 December 2013) sits beside the EQF level.
//
// OB 3.0 has no terms for most of these, and its JSON-LD context is
// protected, so OB3 places them only where OB 3.0 defines a place
// (alignments, creditsAvailable, the creator's address, the Markdown criteria
// narrative); see OB3 for the mapping and why.
//
// # Credit frameworks
//
//   - ECTS (European Credit Transfer and Accumulation System, ECTS Users'
//     Guide 2015): 60 credits per full-time year, one credit for 25–30 hours
//     of notional learning. ECTSFromHours uses 30 hours; Validate accepts
//     20–35 hours per credit (see ECTSMinHoursPerCredit).
//   - ACE (American Council on Education Learning Evaluations): US semester
//     hours recommended by faculty review of learning outcomes, in a category
//     (ACELevels). Because they are not derived from seat time they are not
//     checked against the workload; SemesterHoursFromHours gives the Carnegie
//     seat-time figure (45 hours per semester hour) for guidance.
//   - NCrF (National Credit Framework, India, 2023): one credit per 30
//     notional learning hours, at credit levels 1–8 (with half levels such as
//     4.5). Validate checks NCrF amounts against the workload.
//
// Skills align to ESCO (European Skills, Competences, Qualifications and
// Occupations; skill URIs http://data.europa.eu/esco/skill/<uuid>) and to the
// O*NET-SOC taxonomy (occupation codes such as 15-2051.00).
package catalog
