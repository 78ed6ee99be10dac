package catalog

import "strconv"

// nameGroups pair given names with family names from the same naming
// tradition, so generated names read as real people. Accented letters are
// limited to Latin-1 so that every name renders in the core PDF fonts.
var nameGroups = []struct {
	given, family []string
}{
	{ // Dutch
		[]string{"Sanne", "Daan", "Femke", "Joris", "Lotte", "Bram"},
		[]string{"de Vries", "Bakker", "Visser", "Jansen", "van Dijk", "Smit"},
	},
	{ // Indian
		[]string{"Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Meera"},
		[]string{"Sharma", "Iyer", "Patel", "Reddy", "Banerjee", "Nair"},
	},
	{ // Nigerian
		[]string{"Chinedu", "Amara", "Oluwaseun", "Ngozi", "Emeka", "Funmilayo"},
		[]string{"Okafor", "Adeyemi", "Eze", "Balogun", "Nwosu", "Okonkwo"},
	},
	{ // Spanish and Latin American
		[]string{"Lucía", "Mateo", "Valentina", "José", "Camila", "Andrés"},
		[]string{"García", "Fernández", "Rodríguez", "Martínez", "López", "Ortega"},
	},
	{ // Chinese (given name first, as in English usage)
		[]string{"Wei", "Xinyi", "Hao", "Mei", "Jun", "Yating"},
		[]string{"Chen", "Wang", "Li", "Zhang", "Liu", "Huang"},
	},
	{ // Arabic
		[]string{"Omar", "Layla", "Youssef", "Fatima", "Karim", "Nour"},
		[]string{"Haddad", "Al-Masri", "Khalil", "Nasser", "Saleh", "Mansour"},
	},
	{ // German and Austrian
		[]string{"Lukas", "Jana", "Felix", "Lea", "Jonas", "Marie"},
		[]string{"Müller", "Schneider", "Weber", "Fischer", "Becker", "Köhler"},
	},
	{ // Irish and British
		[]string{"Aoife", "Conor", "Siobhan", "Liam", "Niamh", "Declan"},
		[]string{"Murphy", "O'Brien", "Kelly", "Walsh", "Byrne", "Gallagher"},
	},
	{ // Japanese
		[]string{"Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina"},
		[]string{"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Nakamura"},
	},
	{ // Portuguese and Brazilian
		[]string{"João", "Beatriz", "Tiago", "Inês", "Rafael", "Mariana"},
		[]string{"Silva", "Santos", "Oliveira", "Costa", "Pereira", "Almeida"},
	},
	{ // Scandinavian
		[]string{"Astrid", "Erik", "Ingrid", "Magnus", "Sofie", "Anders"},
		[]string{"Johansson", "Hansen", "Nilsson", "Andersen", "Lindqvist", "Berg"},
	},
	{ // Polish and Czech (Latin-1 spellings)
		[]string{"Zofia", "Jakub", "Katarzyna", "Tomas", "Agnieszka", "Marek"},
		[]string{"Nowak", "Kowalski", "Wisniewska", "Novak", "Dvorak", "Mazur"},
	},
}

// DemoLearnerNames returns n distinct, realistic learner names drawn from
// twelve naming traditions in turn. The result is deterministic: the same n
// always gives the same names, and DemoLearnerNames(n) is a prefix of
// DemoLearnerNames(n+1). Up to 432 names are distinct combinations; beyond
// that a number is appended to keep names unique.
func DemoLearnerNames(n int) []string {
	if n <= 0 {
		return nil
	}
	names := make([]string, 0, n)
	groups := len(nameGroups)
	for i := range n {
		g := nameGroups[i%groups]
		k := i / groups
		l := len(g.given) // every group has as many given as family names
		round := k / (l * l)
		k %= l * l
		// Walking (k mod l, k mod l + k/l) visits every pair once, and
		// changes the family name as well as the given name from one
		// round of groups to the next.
		name := g.given[k%l] + " " + g.family[(k%l+k/l)%l]
		if round > 0 {
			name += " " + strconv.Itoa(round+1)
		}
		names = append(names, name)
	}
	return names
}
