package catalog

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// DemoBaseURL is the base of the identifiers DemoCatalog gives to demo
// organizations and achievements. DemoCatalogAt rebases them on the URL the
// demo server actually listens on.
const DemoBaseURL = "https://demo.microcred.example"

// DemoOrg is a demo organization with its catalog.
type DemoOrg struct {
	Slug        string
	Name        string
	Kind        string // "university" or "provider"
	Country     string // ISO 3166-1 alpha-2
	URL         string
	Email       string
	Description string
	// Achievements lists the catalog; a programme certificate follows the
	// micro-credentials that stack into it.
	Achievements []Achievement
}

// DemoCatalog returns the demo organizations and catalogs with identifiers
// under DemoBaseURL.
func DemoCatalog() []DemoOrg { return DemoCatalogAt(DemoBaseURL) }

// DemoCatalogAt returns the demo organizations and catalogs with achievement
// identifiers of the form <base>/achievements/<provider>/<slug> and creator
// identifiers <base>/orgs/<provider>. Every achievement passes Validate. The
// skills use real ESCO skill URIs and O*NET-SOC codes; the organizations,
// people and credit recommendations are fictitious.
func DemoCatalogAt(base string) []DemoOrg {
	base = strings.TrimRight(base, "/")
	uni := DemoOrg{
		Slug:    "demo-university",
		Name:    "Demo University",
		Kind:    "university",
		Country: "NL",
		URL:     base + "/orgs/demo-university",
		Email:   "lifelong-learning@demo-university.example",
		Description: "A public research university in the Netherlands offering accredited " +
			"micro-credentials for lifelong learners in data science, engineering and sustainability.",
	}
	nw := DemoOrg{
		Slug:    "northwind-academy",
		Name:    "Northwind Academy",
		Kind:    "provider",
		Country: "IE",
		URL:     base + "/orgs/northwind-academy",
		Email:   "credentials@northwind-academy.example",
		Description: "An industry training provider for data and cloud careers, headquartered in " +
			"Dublin with a delivery centre in Bengaluru; its professional certificates carry " +
			"ACE, ECTS and NCrF credit recommendations.",
	}
	id := func(org, slug string) string { return base + "/achievements/" + org + "/" + slug }

	nvao := QualityAssurance{
		Body: "NVAO (Accreditation Organisation of the Netherlands and Flanders)",
		Description: "Designed and assessed under Demo University's internal quality assurance system, " +
			"which NVAO accredited through the institutional quality assurance assessment; the " +
			"examination board appoints the examiners and reviews every assessment.",
		URL: "https://www.nvao.net/",
	}
	aceQA := QualityAssurance{
		Body: "ACE Learning Evaluations",
		Description: "Learning outcomes, content and assessment reviewed by faculty evaluators convened " +
			"by the American Council on Education; Northwind Academy's quality management system " +
			"follows ISO 21001:2018 and is audited yearly.",
		URL: "https://www.acenet.edu/Programs-Services/Pages/Credit-Transcripts/Learning-Evaluations.aspx",
	}
	grade := ResultDescription{
		ID:            "urn:demo-university:result:grade",
		Name:          "Final grade (Dutch 1-10 scale)",
		ResultType:    "ScaledScore",
		ValueMin:      "1",
		ValueMax:      "10",
		RequiredValue: "5.5",
	}
	date := func(s string) time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(fmt.Sprintf("demo date %q: %v", s, err))
		}
		return t
	}

	const (
		escoStatistics    = "http://data.europa.eu/esco/skill/7ee4c2ea-b349-4bd2-81a3-ec31475d4833"
		escoDataAnalysis  = "http://data.europa.eu/esco/skill/2b92a5b2-6758-4ee3-9fb4-b6387a55cc8f"
		escoDataAnalytics = "http://data.europa.eu/esco/skill/97bd1c21-66b2-4b7e-ad0f-e3cda590e378"
		escoPython        = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
		escoMachineLearn  = "http://data.europa.eu/esco/skill/3a2d5b45-56e4-4f5a-a55a-4a4a65afdc43"
		escoDataMining    = "http://data.europa.eu/esco/skill/25f0ea33-b4a2-4f31-b7b4-7d20e827b180"
		escoSQL           = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
		escoDBMS          = "http://data.europa.eu/esco/skill/ab1e97ed-2319-4293-a8b7-072d2648822f"
		escoDataModels    = "http://data.europa.eu/esco/skill/fecf8a0d-62c4-4e71-9b03-0f4fc2ad7bf5"
		escoDataViz       = "http://data.europa.eu/esco/skill/65e58886-bd1e-4c5b-8ca5-8d9b353c8aa1"
		escoSpreadsheets  = "http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be"
		escoBI            = "http://data.europa.eu/esco/skill/143769cb-b61e-47d8-a61e-eedfbec1016c"
		escoCloudTech     = "http://data.europa.eu/esco/skill/bd14968e-e409-45af-b362-3495ed7b10e0"
		escoCloudStorage  = "http://data.europa.eu/esco/skill/d3286405-49f8-4e8a-8046-a4376b4e7963"
		escoCloudDeploy   = "http://data.europa.eu/esco/skill/6195c5f7-a4fb-425d-a3dd-c4467c4471a3"
		escoCloudAutomate = "http://data.europa.eu/esco/skill/ce8ae6ca-61d8-4174-b457-641de96cbff4"
		escoProjectMgmt   = "http://data.europa.eu/esco/skill/237db40b-4600-47c0-837f-4a2c4f3014ab"
	)
	esco := func(uri, name string) Skill { return Skill{Framework: SkillFrameworkESCO, URI: uri, Name: name} }
	onet := func(code, name string) Skill { return Skill{Framework: SkillFrameworkONET, Code: code, Name: name} }

	programme := CredentialRef{
		ID:   id(uni.Slug, "applied-data-science-programme"),
		Name: "Applied Data Science Programme Certificate",
	}

	uni.Achievements = []Achievement{
		{
			Slug:            "statistics-for-data-science",
			AchievementType: "MicroCredential",
			Name:            "Statistics for Data Science",
			Description: "Probability, statistical inference and regression applied to real data sets " +
				"with Python, for professionals moving into data-driven roles.",
			Criteria: Criteria{Narrative: "Complete the six weekly assignments and pass the final " +
				"supervised online examination with a grade of at least 5.5."},
			ResultDescription: []ResultDescription{grade},
			FieldOfStudy:      "Statistics",
			Specialization:    "Statistical inference",
			InLanguage:        "en",
			Tag:               []string{"statistics", "data science", "python"},
			HumanCode:         "DU-DS-101",
			OtherIdentifier:   []IdentifierEntry{{Identifier: "2IDS101", IdentifierType: "ext:CourseCode"}},
			LearningOutcomes: []string{
				"Choose and apply descriptive statistics and visual summaries appropriate to a data set.",
				"Formulate and test statistical hypotheses and interpret p-values and confidence intervals correctly.",
				"Fit, diagnose and interpret linear and logistic regression models in Python.",
				"Communicate the uncertainty of statistical conclusions to a non-specialist audience.",
			},
			Workload:         Workload{Hours: 140, ECTS: 5},
			EQFLevel:         6,
			Assessment:       Assessment{Type: "supervised online exam", Supervised: true, IdentityVerified: true, Description: "Three-hour online examination with remote proctoring and identity check against a government-issued ID; weekly assignments count for 30% of the grade."},
			Participation:    ParticipationOnline,
			QualityAssurance: nvao,
			Prerequisites:    []string{"Mathematics at secondary-school leaving level (VWO Wiskunde B or equivalent)."},
			StacksInto:       []CredentialRef{programme},
			Skills: []Skill{
				esco(escoStatistics, "statistics"),
				esco(escoDataAnalysis, "perform data analysis"),
				esco(escoPython, "Python (computer programming)"),
				onet("15-2041.00", "Statisticians"),
			},
		},
		{
			Slug:            "machine-learning-in-practice",
			AchievementType: "MicroCredential",
			Name:            "Machine Learning in Practice",
			Description: "Supervised and unsupervised learning, model evaluation and deployment, taught " +
				"through a project on an open data set from a Dutch public body.",
			Criteria: Criteria{Narrative: "Deliver a reproducible machine-learning project (code, report " +
				"and a 15-minute defence) that the examiners grade at least 5.5."},
			ResultDescription: []ResultDescription{grade},
			FieldOfStudy:      "Computer science",
			Specialization:    "Machine learning",
			InLanguage:        "en",
			Tag:               []string{"machine learning", "data science", "python"},
			HumanCode:         "DU-DS-201",
			OtherIdentifier:   []IdentifierEntry{{Identifier: "2IDS201", IdentifierType: "ext:CourseCode"}},
			LearningOutcomes: []string{
				"Select, train and tune supervised learning models for classification and regression problems.",
				"Evaluate models with cross-validation and metrics suited to imbalanced data, and explain the results.",
				"Apply clustering and dimensionality reduction to explore unlabelled data.",
				"Package a trained model with its data pipeline so that others can reproduce and deploy it.",
			},
			Workload:         Workload{Hours: 140, ECTS: 5},
			EQFLevel:         7,
			Assessment:       Assessment{Type: "project", Supervised: false, IdentityVerified: true, Description: "Individual project with an oral defence by video call, during which the learner's identity is checked."},
			Participation:    ParticipationOnline,
			QualityAssurance: nvao,
			Prerequisites: []string{
				"Statistics for Data Science, or equivalent knowledge of statistical inference and regression.",
				"Working knowledge of Python.",
			},
			StacksInto: []CredentialRef{programme},
			Skills: []Skill{
				esco(escoMachineLearn, "machine learning"),
				esco(escoDataMining, "data mining"),
				esco(escoPython, "Python (computer programming)"),
				onet("15-2051.00", "Data Scientists"),
			},
		},
		{
			Slug:            "data-engineering-and-governance",
			AchievementType: "MicroCredential",
			Name:            "Data Engineering and Governance",
			Description: "Designing relational and analytical data models, building SQL data pipelines, " +
				"and governing data quality, privacy (GDPR) and access in an organization.",
			Criteria: Criteria{Narrative: "Submit a portfolio with a data model, a working pipeline and a " +
				"data-governance policy for a case organization, graded at least 5.5, and attend both " +
				"on-campus workshop days."},
			ResultDescription: []ResultDescription{grade},
			FieldOfStudy:      "Database and network design and administration",
			Specialization:    "Data governance",
			InLanguage:        "en",
			Tag:               []string{"data engineering", "SQL", "GDPR", "data governance"},
			HumanCode:         "DU-DS-202",
			OtherIdentifier:   []IdentifierEntry{{Identifier: "2IDS202", IdentifierType: "ext:CourseCode"}},
			LearningOutcomes: []string{
				"Design normalised relational and dimensional data models for a given business domain.",
				"Build, test and schedule SQL data pipelines that load and transform data reliably.",
				"Draft a data-governance policy covering data quality, lineage, retention and access control.",
				"Assess a data processing activity against the GDPR, including the need for a data protection impact assessment.",
			},
			Workload:         Workload{Hours: 140, ECTS: 5},
			EQFLevel:         7,
			Assessment:       Assessment{Type: "portfolio", Supervised: false, IdentityVerified: true, Description: "Portfolio assessed by two examiners; identity is checked at the on-campus workshop days."},
			Participation:    ParticipationBlended,
			QualityAssurance: nvao,
			Prerequisites:    []string{"Basic SQL (SELECT, JOIN, GROUP BY)."},
			StacksInto:       []CredentialRef{programme},
			Skills: []Skill{
				esco(escoSQL, "SQL"),
				esco(escoDBMS, "database management systems"),
				esco(escoDataModels, "data models"),
				onet("15-1243.01", "Data Warehousing Specialists"),
			},
		},
		{
			Slug:            "applied-data-science-programme",
			AchievementType: "Certificate",
			Name:            "Applied Data Science Programme Certificate",
			Description: "A stackable programme certificate awarded to learners who complete the three " +
				"data science micro-credentials of Demo University (15 ECTS in total), comparable in " +
				"scope to a MicroMasters programme and recognised towards the MSc Data Science.",
			Criteria: Criteria{Narrative: "Earn all three micro-credentials: Statistics for Data Science, " +
				"Machine Learning in Practice, and Data Engineering and Governance, within five years."},
			FieldOfStudy: "Statistics",
			InLanguage:   "en",
			Tag:          []string{"data science", "stackable", "programme certificate"},
			HumanCode:    "DU-DS-PC",
			Alignment: []Alignment{{
				TargetName:        "MSc Data Science (exemption of 15 ECTS)",
				TargetURL:         base + "/orgs/demo-university/programmes/msc-data-science",
				TargetDescription: "Holders are exempted from the three corresponding first-year courses of the MSc Data Science.",
				TargetType:        "ceterms:Credential",
			}},
			LearningOutcomes: []string{
				"Plan and carry out a data science project from question to deployed model.",
				"Apply statistical inference and machine learning and judge which fits a problem.",
				"Design governed data pipelines that respect privacy law and data-quality requirements.",
			},
			Workload:         Workload{Hours: 420, ECTS: 15},
			EQFLevel:         7,
			Assessment:       Assessment{Type: "portfolio", Supervised: false, IdentityVerified: true, Description: "Awarded on the basis of the three constituent micro-credentials, each assessed by the examination board."},
			Participation:    ParticipationBlended,
			QualityAssurance: nvao,
			Prerequisites:    []string{"A bachelor's degree, or admission by the examination board on the basis of work experience."},
			Skills: []Skill{
				esco(escoStatistics, "statistics"),
				esco(escoMachineLearn, "machine learning"),
				esco(escoSQL, "SQL"),
				onet("15-2051.00", "Data Scientists"),
			},
		},
		{
			Slug:            "data-visualisation-essentials",
			AchievementType: "MicroCredential",
			Name:            "Data Visualisation Essentials",
			Description: "Turning data into clear charts and dashboards: perception, chart choice, " +
				"storytelling and accessible design, with spreadsheet and BI tools.",
			Criteria: Criteria{Narrative: "Pass the four online quizzes and submit a dashboard that " +
				"meets the published rubric."},
			FieldOfStudy: "Statistics",
			InLanguage:   "en",
			Tag:          []string{"data visualisation", "dashboards", "business intelligence"},
			HumanCode:    "DU-DS-050",
			LearningOutcomes: []string{
				"Choose chart types that match the question and the data.",
				"Build an interactive dashboard in a business intelligence tool.",
				"Apply accessibility guidelines (colour, contrast, alternative text) to visualisations.",
			},
			Workload:         Workload{Hours: 56, ECTS: 2},
			EQFLevel:         5,
			Assessment:       Assessment{Type: "unsupervised online test", Supervised: false, IdentityVerified: false, Description: "Four online quizzes and a dashboard assignment marked against a rubric."},
			Participation:    ParticipationOnline,
			QualityAssurance: nvao,
			Skills: []Skill{
				esco(escoDataViz, "data visualisation software"),
				esco(escoSpreadsheets, "use spreadsheets software"),
				esco(escoBI, "business intelligence"),
				onet("15-2051.01", "Business Intelligence Analysts"),
			},
		},
		{
			Slug:            "sustainable-supply-chain-management",
			AchievementType: "MicroCredential",
			Name:            "Sustainable Supply Chain Management",
			Description: "Measuring and reducing the environmental and social footprint of supply chains: " +
				"Scope 3 emissions, due diligence under the EU CSDDD, and circular sourcing.",
			Criteria: Criteria{Narrative: "Attend the two on-campus days and write an improvement plan for " +
				"a real supply chain, graded at least 5.5."},
			ResultDescription: []ResultDescription{grade},
			FieldOfStudy:      "Management and administration",
			Specialization:    "Supply chain management",
			InLanguage:        "en",
			Tag:               []string{"sustainability", "supply chain", "CSRD", "circular economy"},
			HumanCode:         "DU-SCM-301",
			LearningOutcomes: []string{
				"Map a supply chain and estimate its Scope 3 greenhouse-gas emissions with the GHG Protocol.",
				"Design a human-rights and environmental due-diligence process for suppliers.",
				"Evaluate circular sourcing options against cost, risk and emissions.",
			},
			Workload:         Workload{Hours: 84, ECTS: 3},
			EQFLevel:         6,
			Assessment:       Assessment{Type: "written assignment", Supervised: false, IdentityVerified: true, Description: "Improvement plan of about 4,000 words; identity checked during the on-campus days."},
			Participation:    ParticipationBlended,
			QualityAssurance: nvao,
			Prerequisites:    []string{"Two years of work experience in operations, procurement or logistics."},
			Skills: []Skill{
				esco(escoProjectMgmt, "project management principles"),
				onet("11-3071.04", "Supply Chain Managers"),
				onet("13-1081.02", "Logistics Analysts"),
			},
		},
	}

	nw.Achievements = []Achievement{
		{
			Slug:            "data-analytics-professional-certificate",
			AchievementType: "Certificate",
			Name:            "Data Analytics Professional Certificate",
			Description: "A job-ready programme in data analytics: cleaning and analysing data with " +
				"spreadsheets and SQL, visualising it, and presenting findings to stakeholders, " +
				"finished with a capstone case study.",
			Criteria: Criteria{Narrative: "Complete the eight courses, pass each course assessment with " +
				"at least 80%, complete the capstone case study, and pass the final proctored exam."},
			ResultDescription: []ResultDescription{{
				ID:            "urn:northwind-academy:result:final-exam",
				Name:          "Final exam score",
				ResultType:    "Percent",
				ValueMin:      "0",
				ValueMax:      "100",
				RequiredValue: "80",
			}},
			FieldOfStudy:   "Software and applications development and analysis",
			Specialization: "Data analytics",
			InLanguage:     "en",
			Tag:            []string{"data analytics", "SQL", "spreadsheets", "career certificate"},
			HumanCode:      "NWA-DAPC",
			LearningOutcomes: []string{
				"Clean, transform and validate data in spreadsheets and SQL.",
				"Analyse data with aggregation, joins and descriptive statistics to answer business questions.",
				"Build visualisations and dashboards that communicate findings.",
				"Present a data-driven recommendation to stakeholders, including its limitations.",
			},
			Workload:         Workload{Hours: 180, ECTS: 6},
			EQFLevel:         5,
			Assessment:       Assessment{Type: "supervised online exam", Supervised: true, IdentityVerified: true, Description: "Course assessments, a capstone case study and a final 2-hour remotely proctored exam with ID verification."},
			Participation:    ParticipationOnline,
			QualityAssurance: aceQA,
			Prerequisites:    []string{"None; secondary-school mathematics is assumed."},
			CreditRecommendations: []CreditRecommendation{
				{
					Framework:        FrameworkACE,
					Amount:           12,
					Level:            "lower-division baccalaureate",
					RecommendingBody: "American Council on Education (ACE Learning Evaluations)",
					ValidFrom:        date("2025-03-01"),
					ValidUntil:       date("2028-02-29"),
					Notes:            "Recommended in data analytics, business analytics or information systems.",
				},
				{
					Framework:        FrameworkECTS,
					Amount:           6,
					Level:            "first cycle",
					RecommendingBody: "Demo University, Faculty of Science Credit Evaluation Committee",
					ValidFrom:        date("2025-09-01"),
					ValidUntil:       date("2028-08-31"),
					Notes:            "Recognised as an elective in first-cycle programmes in business and data science.",
				},
			},
			Skills: []Skill{
				esco(escoDataAnalytics, "data analytics"),
				esco(escoSQL, "SQL"),
				esco(escoDataViz, "data visualisation software"),
				esco(escoSpreadsheets, "use spreadsheets software"),
				esco(escoStatistics, "statistics"),
				onet("15-2051.01", "Business Intelligence Analysts"),
				onet("15-2051.00", "Data Scientists"),
			},
		},
		{
			Slug:            "cloud-data-engineering-certificate",
			AchievementType: "Certificate",
			Name:            "Cloud Data Engineering Certificate",
			Description: "Building and operating data pipelines on public cloud platforms: storage, " +
				"warehouses, orchestration and infrastructure as code.",
			Criteria: Criteria{Narrative: "Complete the labs and build a production-grade cloud data " +
				"pipeline in the capstone project, reviewed by two senior engineers."},
			FieldOfStudy:   "Database and network design and administration",
			Specialization: "Cloud data engineering",
			InLanguage:     "en",
			Tag:            []string{"cloud", "data engineering", "infrastructure as code"},
			HumanCode:      "NWA-CDEC",
			LearningOutcomes: []string{
				"Design storage and warehouse layouts for batch and streaming data in the cloud.",
				"Automate the deployment of data infrastructure with infrastructure-as-code tools.",
				"Orchestrate, monitor and recover data pipelines, and control their cost.",
				"Secure cloud data with identity and access management and encryption.",
			},
			Workload:         Workload{Hours: 240, ECTS: 8},
			EQFLevel:         6,
			Assessment:       Assessment{Type: "project", Supervised: false, IdentityVerified: true, Description: "Capstone pipeline project with a recorded technical interview; identity is verified at the interview."},
			Participation:    ParticipationOnline,
			QualityAssurance: aceQA,
			Prerequisites: []string{
				"Data Analytics Professional Certificate or one year of SQL experience.",
				"Basic Python.",
			},
			CreditRecommendations: []CreditRecommendation{{
				Framework:        FrameworkACE,
				Amount:           9,
				Level:            "upper-division baccalaureate",
				RecommendingBody: "American Council on Education (ACE Learning Evaluations)",
				ValidFrom:        date("2025-06-01"),
				ValidUntil:       date("2028-05-31"),
				Notes:            "Recommended in computer science, information technology or data engineering.",
			}},
			Skills: []Skill{
				esco(escoCloudTech, "cloud technologies"),
				esco(escoCloudStorage, "manage cloud data and storage"),
				esco(escoCloudAutomate, "automate cloud tasks"),
				esco(escoDBMS, "database management systems"),
				onet("15-1243.00", "Database Architects"),
				onet("15-1243.01", "Data Warehousing Specialists"),
			},
		},
		{
			Slug:            "cloud-support-associate",
			AchievementType: "Certification",
			Name:            "Cloud Support Associate (NSQF Level 5)",
			Description: "A vocational qualification for first-line cloud support roles: provisioning " +
				"and monitoring cloud resources, handling incidents and supporting users, delivered at " +
				"the Bengaluru centre with on-the-job training.",
			Criteria: Criteria{Narrative: "Complete the training and on-the-job hours and pass the theory " +
				"and practical assessment conducted by an NCVET-recognised assessment agency."},
			FieldOfStudy:    "Information and communication technologies",
			Specialization:  "Cloud support",
			InLanguage:      "en",
			Tag:             []string{"cloud", "IT support", "NSQF", "vocational"},
			HumanCode:       "NWA-IN-CSA",
			OtherIdentifier: []IdentifierEntry{{Identifier: "NWA-IN-CSA-2025", IdentifierType: "systemId"}},
			LearningOutcomes: []string{
				"Provision, configure and decommission virtual machines, storage and networks in a public cloud.",
				"Monitor cloud services, respond to alerts and escalate incidents according to service levels.",
				"Resolve common user access and connectivity problems and document the resolution.",
				"Apply security and cost-control policies when operating cloud resources.",
			},
			Workload:         Workload{Hours: 360},
			NSQFLevel:        5,
			Assessment:       Assessment{Type: "practical demonstration", Supervised: true, IdentityVerified: true, Description: "Theory test and practical demonstration at an assessment centre, supervised by an assessor who checks the candidate's identity."},
			Participation:    ParticipationOnsite,
			QualityAssurance: QualityAssurance{Body: "NCVET (National Council for Vocational Education and Training)", Description: "Qualification approved by NCVET and aligned to NSQF level 5; assessment by an NCVET-recognised assessment agency with the IT-ITeS Sector Skill Council NASSCOM.", URL: "https://ncvet.gov.in/"},
			Prerequisites:    []string{"Class 12 pass, or Class 10 with a two-year ITI diploma."},
			Country:          "IN",
			CreditRecommendations: []CreditRecommendation{{
				Framework:        FrameworkNCrF,
				Amount:           12,
				Level:            "5",
				RecommendingBody: "IT-ITeS Sector Skill Council NASSCOM",
				ValidFrom:        date("2025-04-01"),
				ValidUntil:       date("2028-03-31"),
				Notes:            "360 notional hours including 120 hours of on-the-job training.",
			}},
			Skills: []Skill{
				esco(escoCloudTech, "cloud technologies"),
				esco(escoCloudDeploy, "deploy cloud resource"),
				onet("15-1232.00", "Computer User Support Specialists"),
				onet("15-1244.00", "Network and Computer Systems Administrators"),
			},
		},
		{
			Slug:            "python-for-data-analysis",
			AchievementType: "Badge",
			Name:            "Python for Data Analysis",
			Description: "An introductory badge: Python basics, notebooks and the pandas library for " +
				"loading, cleaning and summarising tabular data.",
			Criteria: Criteria{Narrative: "Complete the notebook exercises and pass the online test " +
				"with at least 70%."},
			FieldOfStudy: "Software and applications development and analysis",
			InLanguage:   "en",
			Tag:          []string{"python", "pandas", "beginner"},
			HumanCode:    "NWA-PY-101",
			LearningOutcomes: []string{
				"Write short Python programs using variables, control flow and functions.",
				"Load, filter, group and summarise tabular data with pandas.",
				"Document an analysis in a notebook that others can rerun.",
			},
			Workload:         Workload{Hours: 28, ECTS: 1},
			EQFLevel:         4,
			Assessment:       Assessment{Type: "unsupervised online test", Supervised: false, IdentityVerified: false, Description: "Automatically graded online test; unlimited attempts."},
			Participation:    ParticipationOnline,
			QualityAssurance: QualityAssurance{Body: "Northwind Academy Curriculum Board", Description: "Content reviewed yearly by the curriculum board with two external industry reviewers, under the ISO 21001:2018 quality management system."},
			Skills: []Skill{
				esco(escoPython, "Python (computer programming)"),
				esco(escoDataAnalysis, "perform data analysis"),
			},
		},
	}

	orgs := []DemoOrg{uni, nw}
	for oi := range orgs {
		o := &orgs[oi]
		for i := range o.Achievements {
			a := &o.Achievements[i]
			a.ID = id(o.Slug, a.Slug)
			a.Provider = o.Slug
			a.Version = 1
			if a.Country == "" {
				a.Country = o.Country
			}
			a.Creator = &Profile{ID: o.URL, Name: o.Name, URL: o.URL, Email: o.Email, Description: o.Description}
			a.Image = &Image{ID: demoBadgeImage(a.Name, oi), Caption: a.Name + " badge"}
		}
	}
	return orgs
}

// demoBadgeImage draws a small SVG badge with the initials of name, as a
// data: URI so the demo needs no image hosting.
func demoBadgeImage(name string, palette int) string {
	colors := [][2]string{{"#1f4e79", "#f2b134"}, {"#0b6e4f", "#e8f1f2"}}
	c := colors[palette%len(colors)]
	var initials []rune
	for _, w := range strings.Fields(name) {
		r := []rune(w)[0]
		if r >= 'A' && r <= 'Z' && len(initials) < 3 {
			initials = append(initials, r)
		}
	}
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">` +
		`<circle cx="128" cy="128" r="120" fill="` + c[0] + `" stroke="` + c[1] + `" stroke-width="12"/>` +
		`<text x="128" y="150" font-family="sans-serif" font-size="72" font-weight="bold" text-anchor="middle" fill="` + c[1] + `">` +
		string(initials) + `</text></svg>`
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(svg))
}
