package issue

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
)

// Request asks for one OpenBadgeCredential.
type Request struct {
	OrgID, AchievementID string
	// RecipientEmail is required; RecipientName is optional but
	// recommended; RecipientDID, when the learner has one, becomes
	// credentialSubject.id.
	RecipientEmail, RecipientName, RecipientDID string
	ValidFrom                                   time.Time // zero means now
	ValidUntil                                  time.Time // zero means no expiry
	Narrative                                   string    // optional credentialSubject.narrative
	EvidenceURL                                 string    // optional; becomes evidence [{"id": url, "type": ["Evidence"]}]
	// Format is the securing mechanism; "" means the achievement's Format,
	// and ldp-rdfc when that is empty too.
	Format store.Format
	// IdempotencyKey, when set, makes retries safe: a second request with
	// the same key returns the credential of the first, with existed set,
	// and issues nothing.
	IdempotencyKey string
	Actor          string // user id or API client id, for the audit log
	Notify         bool   // mail the recipient (queued in the same transaction)
	Replaces       string // id of the credential this one renews
	// Evidence and Results, when set, become the credential's evidence
	// (after EvidenceURL's entry) and credentialSubject.result: an
	// approved application's submission and rubric scores.
	Evidence []Evidence
	Results  []Result
	// Identifiers are the learner's other identifiers (a student number),
	// each an unhashed credentialSubject.identifier IdentityObject.
	Identifiers []Identifier
}

// Identifier is one of the learner's identifiers: Type is a term of OB
// 3.0's IdentifierTypeEnum ("identifier" for a student number) and Value
// the identifier itself.
type Identifier struct {
	Type, Value string
}

// Evidence is one Open Badges 3.0 Evidence object. ID, when set, is a URL
// where the evidence can be seen; files that must stay private have none.
type Evidence struct {
	ID, Name, Description, Narrative, Genre string
}

// Result is one Open Badges 3.0 Result of the subject: a value in words
// and, optionally, a status such as "Completed".
type Result struct {
	Value, Status string
	// ResultDescription is the id of the achievement's ResultDescription
	// the value belongs to; empty means the achievement's first one, if
	// it has any.
	ResultDescription string
}

// Limits of Request.Evidence and Request.Results.
const (
	maxEvidence = 50
	maxResults  = 50
)

// Input limits of a Request.
const (
	maxNameLen      = 256
	maxNarrativeLen = 10000
	maxURLLen       = 2048
	maxKeyLen       = 256
)

// Validate checks the request and returns FieldErrors naming the form
// fields: org_id, achievement_id, recipient_email, recipient_name,
// recipient_did, valid_until, narrative, evidence_url, format,
// idempotency_key, replaces.
func (r Request) Validate() error {
	var fe FieldErrors
	if strings.TrimSpace(r.OrgID) == "" {
		fe.add("org_id", "is required")
	}
	if strings.TrimSpace(r.AchievementID) == "" {
		fe.add("achievement_id", "is required")
	}
	switch email := strings.TrimSpace(r.RecipientEmail); {
	case email == "":
		fe.add("recipient_email", "is required")
	case !isEmail(email):
		fe.add("recipient_email", "must be an email address such as learner@example.org")
	}
	switch {
	case utf8.RuneCountInString(r.RecipientName) > maxNameLen:
		fe.add("recipient_name", "must be at most %d characters", maxNameLen)
	case strings.IndexFunc(r.RecipientName, unicode.IsControl) >= 0:
		fe.add("recipient_name", "must not contain control characters")
	}
	if r.RecipientDID != "" && (!strings.HasPrefix(r.RecipientDID, "did:") || !credential.IsAbsoluteURI(r.RecipientDID) || len(r.RecipientDID) > maxURLLen) {
		fe.add("recipient_did", "must be a DID such as did:key:z6Mk...")
	}
	if !r.ValidUntil.IsZero() {
		from := r.ValidFrom
		if from.IsZero() {
			from = time.Now()
		}
		if !r.ValidUntil.After(from) {
			fe.add("valid_until", "must be after the start of validity")
		}
	}
	if utf8.RuneCountInString(r.Narrative) > maxNarrativeLen {
		fe.add("narrative", "must be at most %d characters", maxNarrativeLen)
	}
	if r.EvidenceURL != "" && (!isHTTPURL(r.EvidenceURL) || len(r.EvidenceURL) > maxURLLen) {
		fe.add("evidence_url", "must be an http or https URL")
	}
	if len(r.Evidence) > maxEvidence {
		fe.add("evidence", "at most %d entries", maxEvidence)
	}
	for i, ev := range r.Evidence {
		if ev.ID != "" && (!isHTTPURL(ev.ID) || len(ev.ID) > maxURLLen) {
			fe.add(fmt.Sprintf("evidence[%d].id", i), "must be an http or https URL")
		}
		if ev.Name == "" && ev.Narrative == "" && ev.ID == "" {
			fe.add(fmt.Sprintf("evidence[%d]", i), "needs a name, a narrative or a URL")
		}
		if utf8.RuneCountInString(ev.Name+ev.Description+ev.Narrative) > maxNarrativeLen {
			fe.add(fmt.Sprintf("evidence[%d]", i), "is longer than %d characters", maxNarrativeLen)
		}
	}
	if len(r.Results) > maxResults {
		fe.add("result", "at most %d entries", maxResults)
	}
	for i, res := range r.Results {
		if res.Value == "" && res.Status == "" || utf8.RuneCountInString(res.Value) > maxNameLen {
			fe.add(fmt.Sprintf("result[%d]", i), "needs a value of at most %d characters or a status", maxNameLen)
		}
	}
	if len(r.Identifiers) > maxResults {
		fe.add("identifier", "at most %d entries", maxResults)
	}
	for i, id := range r.Identifiers {
		if id.Type == "" || id.Value == "" || utf8.RuneCountInString(id.Value) > maxNameLen || !utf8.ValidString(id.Value) {
			fe.add(fmt.Sprintf("identifier[%d]", i), "needs a type and a value of at most %d characters", maxNameLen)
		}
	}
	if r.Format != "" && !r.Format.Valid() {
		fe.add("format", "must be ldp-rdfc, ldp-jcs or jwt")
	}
	if len(r.IdempotencyKey) > maxKeyLen {
		fe.add("idempotency_key", "must be at most %d characters", maxKeyLen)
	}
	if len(r.Replaces) > maxURLLen {
		fe.add("replaces", "must be at most %d characters", maxURLLen)
	}
	return fe.err()
}

// Issue builds, signs and stores one OpenBadgeCredential.
//
// The credential uses the VC 2.0 and OB 3.0.3 contexts, an urn:uuid id, the
// organization's Profile as issuer, and a credentialSubject that identifies
// the recipient by a salted hash of the email address (and by name, when
// given) and embeds the current version of the achievement. It is checked
// against the Open Badges 3.0 rules (see template.go: the achievement and
// issuer parts once per version and profile, the rest per credential; a
// failure there is a bug and returned as an error), signed with the
// organization's active key, and then stored together with the outbox mail
// (when Notify) and the audit event "credential.issue" in one transaction.
// A learner account with the recipient's email is linked to the credential.
//
// Concurrent calls share transactions (group commit, see batchWriter): each
// builds and signs in its own goroutine, and Issue returns once the
// transaction holding its rows has committed.
//
// With an IdempotencyKey already used in the organization, Issue returns
// the stored credential and existed = true.
func (s *Service) Issue(ctx context.Context, req Request) (c store.Credential, existed bool, err error) {
	return s.start(ctx, req, nil).Wait()
}

// Pending is an issuance whose credential is signed and queued for its
// batch transaction (see Batch.Start).
type Pending struct {
	ctx context.Context
	w   *batchWriter
	it  *writeItem // nil when the outcome was known without queueing
	// The outcome when it is nil.
	c       store.Credential
	existed bool
	err     error
}

// Wait returns the outcome of the issuance once its transaction has
// committed (or failed), as Service.Issue does. The context of the call
// that started the issuance can still withdraw it while it is queued.
func (p *Pending) Wait() (store.Credential, bool, error) {
	if p.it == nil {
		return p.c, p.existed, p.err
	}
	if err := p.w.wait(p.ctx, p.it); err != nil {
		return store.Credential{}, false, fmt.Errorf("issue: store credential: %w", err)
	}
	return p.it.stored, p.it.existed, nil
}

// done returns a Pending whose outcome is already known.
func done(c store.Credential, existed bool, err error) *Pending {
	return &Pending{c: c, existed: existed, err: err}
}

// Batch issues many credentials of one achievement version for one
// organization, as a bulk job does. Its Issue is Service.Issue without the
// two reads Issue makes per call: the achievement is read once, by
// NewBatch, and the idempotency key is not looked up before signing — the
// caller issues rows it knows to be new, and the store still settles a
// key used twice (the second call gets the first credential, existed set).
// A Batch is safe for concurrent use.
type Batch struct {
	s     *Service
	orgID string
	ach   store.Achievement
}

// NewBatch reads the current version of the achievement, which must belong
// to the organization, for a Batch.
func (s *Service) NewBatch(ctx context.Context, orgID, achievementID string) (*Batch, error) {
	s.init()
	ach, err := s.orgAchievement(ctx, orgID, achievementID)
	if err != nil {
		return nil, err
	}
	return &Batch{s: s, orgID: orgID, ach: ach}, nil
}

// orgAchievement reads an achievement that must belong to the
// organization; any other is a field error. The row (which names the
// current version) is cached for up to currentTTL: every issuance needs
// it, and on PostgreSQL the read was a round trip per credential.
func (s *Service) orgAchievement(ctx context.Context, orgID, achievementID string) (store.Achievement, error) {
	ach, ok := s.cache.current.get(achievementID, time.Now())
	if !ok {
		var err error
		ach, err = s.Store.Achievement(ctx, achievementID)
		if errors.Is(err, store.ErrNotFound) {
			return store.Achievement{}, FieldErrors{{Field: "achievement_id", Problem: "is not an achievement of this organization"}}
		}
		if err != nil {
			return store.Achievement{}, fmt.Errorf("issue: achievement: %w", err)
		}
		s.cache.current.put(achievementID, ach, time.Now())
	}
	if ach.OrgID != orgID {
		return store.Achievement{}, FieldErrors{{Field: "achievement_id", Problem: "is not an achievement of this organization"}}
	}
	if IsBookkeeping(ach) {
		return store.Achievement{}, FieldErrors{{Field: "achievement_id", Problem: "is not an achievement of the catalog: it records the credentials signed through the VC-API"}}
	}
	return ach, nil
}

// Issue issues one credential like Service.Issue; the request's OrgID and
// AchievementID are those of the batch.
func (b *Batch) Issue(ctx context.Context, req Request) (store.Credential, bool, error) {
	return b.Start(ctx, req).Wait()
}

// Start builds and signs one credential like Issue and queues it for its
// batch transaction without waiting for that: the caller can sign the next
// one meanwhile and collect the outcome with Wait. Queued credentials are
// committed in the order they were started, in batches.
func (b *Batch) Start(ctx context.Context, req Request) *Pending {
	req.OrgID, req.AchievementID = b.orgID, b.ach.ID
	return b.s.start(ctx, req, &b.ach)
}

// start builds, signs and queues a credential (Issue is start and Wait);
// with ach set (a Batch), the achievement is not read and the idempotency
// key not looked up first.
func (s *Service) start(ctx context.Context, req Request, ach *store.Achievement) *Pending {
	c, existed, it, err := s.prepareAndQueue(ctx, req, ach)
	if it == nil {
		return done(c, existed, err)
	}
	return &Pending{ctx: ctx, w: s.writer(), it: it}
}

// prepareAndQueue does the work of start. It returns either a queued item
// or the outcome (a retried idempotency key, or an error).
func (s *Service) prepareAndQueue(ctx context.Context, req Request, ach *store.Achievement) (c store.Credential, existed bool, queued *writeItem, err error) {
	s.init()
	if err := req.Validate(); err != nil {
		return store.Credential{}, false, nil, err
	}
	req.RecipientEmail = strings.TrimSpace(req.RecipientEmail)
	req.RecipientName = strings.TrimSpace(req.RecipientName)
	// Tell the batch writer a credential is on its way, so that a batch
	// about to start waits for it rather than leaving it for the next one.
	wr := s.writer()
	expected := wr.expect()
	defer expected.cancel()
	if req.IdempotencyKey != "" && ach == nil {
		// Answer a retry without signing anything. InsertCredential still
		// settles races between concurrent first attempts.
		prev, err := s.Store.CredentialByIdempotencyKey(ctx, req.OrgID, req.IdempotencyKey)
		if err == nil {
			return prev, true, nil, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return store.Credential{}, false, nil, fmt.Errorf("issue: idempotency key: %w", err)
		}
	}
	org, err := s.organization(ctx, req.OrgID)
	if err != nil {
		return store.Credential{}, false, nil, err
	}
	if ach == nil {
		a, err := s.orgAchievement(ctx, org.ID, req.AchievementID)
		if err != nil {
			return store.Credential{}, false, nil, err
		}
		ach = &a
	}
	data, err := s.achievementVersion(ctx, ach.ID, ach.CurrentVersion)
	if err != nil {
		return store.Credential{}, false, nil, err
	}
	format := req.Format
	if format == "" {
		format = store.Format(data.entry.Format)
	}
	if format == "" {
		format = store.FormatLDPRDFC
	}
	kp, _, err := s.ActiveKey(ctx, org.ID)
	if err != nil {
		return store.Credential{}, false, nil, err
	}
	issuerID := s.webDID(org.Slug)
	if org.DIDMethod == store.DIDKey {
		issuerID = kp.Controller
	}

	now := s.now().UTC().Truncate(time.Second)
	validFrom := req.ValidFrom
	if validFrom.IsZero() {
		validFrom = now
	}
	uuid := newCredentialUUID(s.now())
	tmpl, err := s.template(templateKey{achievementKey{ach.ID, ach.CurrentVersion}, issuerKeyOf(issuerID, org)}, data, issuerID, org)
	if err != nil {
		return store.Credential{}, false, nil, err
	}
	data = tmpl.data // the very maps the template prepared (a concurrent cache fill may have built equal ones)
	doc := buildCredential(req, "urn:uuid:"+uuid, tmpl.profile, data, validFrom)
	if err := checkPerCredential(doc); err != nil {
		return store.Credential{}, false, nil, err
	}
	// The status entries are part of what is signed, so the indexes are
	// allocated first (from a block this process reserved in the
	// database); an issuance that fails from here on leaves its indexes
	// unused, which is harmless.
	assigned, err := s.Status.Allocate(ctx, org.ID, status.PurposesFor(org)...)
	if err != nil {
		return store.Credential{}, false, nil, fmt.Errorf("issue: %w", err)
	}
	doc["credentialStatus"] = s.Status.Entries(org.Slug, assigned)
	if err := tmpl.checkSchemaOnce(doc); err != nil {
		return store.Credential{}, false, nil, err
	}
	secured, achAt, err := sign(doc, kp, format, now, tmpl)
	if err != nil {
		return store.Credential{}, false, nil, err
	}

	c = store.Credential{
		ID:                 "urn:uuid:" + uuid,
		OrgID:              org.ID,
		AchievementID:      ach.ID,
		AchievementVersion: ach.CurrentVersion,
		RecipientEmail:     req.RecipientEmail,
		RecipientName:      req.RecipientName,
		Format:             format,
		Document:           secured,
		IssuedAt:           now,
		ValidFrom:          validFrom.UTC().Truncate(time.Second),
		Replaces:           req.Replaces,
		IdempotencyKey:     req.IdempotencyKey,
	}
	if achAt >= 0 {
		// The embedded achievement is the same bytes in every credential
		// of the template; the store may keep it once.
		c.SharedPart, c.SharedAt = tmpl.achString, achAt
	}
	if !req.ValidUntil.IsZero() {
		t := req.ValidUntil.UTC().Truncate(time.Second)
		c.ValidUntil = &t
	}
	w := credentialWrite{cred: c, status: assigned}
	if req.Notify {
		m := s.learnerMail(c, org, data.entry)
		w.mail = &m
	}
	if w.audit, err = auditEvent(org.ID, req.Actor, "credential.issue", c.ID, map[string]any{
		"achievement_id": ach.ID, "achievement_version": ach.CurrentVersion, "format": string(format),
	}); err != nil {
		return store.Credential{}, false, nil, fmt.Errorf("issue: %w", err)
	}
	it, err := wr.issue(ctx, &w, expected)
	if err != nil {
		return store.Credential{}, false, nil, fmt.Errorf("issue: store credential: %w", err)
	}
	return store.Credential{}, false, it, nil
}

// credentialWrite is what storing one issued credential writes: the
// credential row, linked to the recipient's learner account if there is
// one, its status entries, its notification mail (optional), its audit
// event and its transparency-log leaf. It is prepared in full before it is
// queued, so the batch transaction does database work only.
type credentialWrite struct {
	cred   store.Credential
	mail   *store.Mail
	audit  store.AuditEvent
	status []status.Assignment // the credential's status list indexes
}

// writeCredentials writes the credential items of a batch through tx, the
// batch's transaction, and sets each one's stored and existed. A store
// that is a store.BatchWriter gets one multi-row statement per table for
// the whole batch (plus one learner lookup), so the per-credential cost of
// the transaction is a few rows' worth of database work rather than six
// statements; any other store gets apply per item.
//
// A failure the store traces to a row is returned as a batchFailure naming
// the item that owns the row; a failure of a statement as a whole names no
// item (index -1), and batchWriter.commit then splits the batch.
func writeCredentials(ctx context.Context, tx store.Store, items []*writeItem) error {
	var pos []int // indexes in items of the credential items
	for i, it := range items {
		if it.cred != nil {
			pos = append(pos, i)
		}
	}
	if len(pos) == 0 {
		return nil
	}
	bw, ok := tx.(store.BatchWriter)
	if !ok {
		for _, i := range pos {
			it := items[i]
			var err error
			if it.stored, it.existed, err = it.cred.apply(ctx, tx); err != nil {
				return &batchFailure{index: i, err: err}
			}
		}
		return nil
	}
	// blame turns a store error into a batchFailure, naming the item that
	// owns the refused row when the store names the row.
	blame := func(what string, err error, owner []int) error {
		var re *store.RowError
		if errors.As(err, &re) && re.Row >= 0 && re.Row < len(owner) {
			return &batchFailure{index: owner[re.Row], err: fmt.Errorf("%s: %w", what, re.Err)}
		}
		return &batchFailure{index: -1, err: fmt.Errorf("%s: %w", what, err)}
	}

	emails := make([]string, len(pos))
	for j, i := range pos {
		emails[j] = items[i].cred.cred.RecipientEmail
	}
	learners, err := bw.LearnersByEmail(ctx, emails)
	if err != nil {
		return blame("learner lookup", err, nil)
	}
	creds := make([]store.Credential, len(pos))
	for j, i := range pos {
		c := items[i].cred.cred
		if id, ok := learners[store.EmailKey(c.RecipientEmail)]; ok {
			c.LearnerID = id
		}
		creds[j] = c
	}
	res, err := bw.InsertCredentials(ctx, creds)
	if err != nil {
		return blame("insert credential", err, pos)
	}

	var (
		statuses                           []store.CredentialStatus
		mails                              []store.Mail
		audits                             []store.AuditEvent
		statusOwner, mailOwner, auditOwner []int
	)
	for j, i := range pos {
		it := items[i]
		it.stored, it.existed = res[j].Stored, res[j].Existed
		if it.existed {
			continue
		}
		w, c := it.cred, it.stored
		for _, a := range w.status {
			statuses = append(statuses, store.CredentialStatus{CredentialID: c.ID, OrgID: c.OrgID,
				Purpose: a.Purpose, List: a.List, Index: a.Index, Seq: a.Seq})
			statusOwner = append(statusOwner, i)
		}
		if w.mail != nil {
			mails, mailOwner = append(mails, *w.mail), append(mailOwner, i)
		}
		audits, auditOwner = append(audits, w.audit), append(auditOwner, i)
		if err := logIssue(ctx, tx, c); err != nil {
			return &batchFailure{index: i, err: err}
		}
	}
	if len(statuses) > 0 {
		if err := bw.InsertCredentialStatuses(ctx, statuses); err != nil {
			return blame("status: record index", err, statusOwner)
		}
	}
	if len(mails) > 0 {
		if err := bw.EnqueueMails(ctx, mails); err != nil {
			return blame("enqueue mail", err, mailOwner)
		}
	}
	if err := bw.AppendAudits(ctx, audits); err != nil {
		return blame("audit credential.issue", err, auditOwner)
	}
	// The impact report's issuance counts, one rollup per organization,
	// achievement and day of the batch rather than an event per credential.
	counts := map[store.Rollup]int64{}
	for _, i := range pos {
		if it := items[i]; !it.existed {
			c := it.stored
			counts[store.Rollup{OrgID: c.OrgID, AchievementID: c.AchievementID, Day: c.IssuedAt.UTC().Format("2006-01-02"), Kind: "issued"}]++
		}
	}
	if len(counts) > 0 {
		rs := make([]store.Rollup, 0, len(counts))
		for r, n := range counts {
			r.N = n
			rs = append(rs, r)
		}
		if err := tx.AddRollups(ctx, rs); err != nil {
			return blame("count issuance", err, nil)
		}
	}
	return nil
}

// apply writes w through tx, row by row, for a store that is not a
// store.BatchWriter. When the credential's idempotency key is
// already used (by an earlier transaction or by an earlier item of the
// same batch), it writes nothing and returns the stored credential with
// existed set.
func (w credentialWrite) apply(ctx context.Context, tx store.Store) (store.Credential, bool, error) {
	c := w.cred
	if u, err := tx.UserByEmail(ctx, c.RecipientEmail); err == nil && u.IsLearner {
		c.LearnerID = u.ID
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Credential{}, false, fmt.Errorf("learner lookup: %w", err)
	}
	stored, existed, err := tx.InsertCredential(ctx, c)
	if err != nil || existed {
		return stored, existed, err
	}
	if err := status.Record(ctx, tx, c.OrgID, c.ID, w.status); err != nil {
		return store.Credential{}, false, err
	}
	if w.mail != nil {
		if _, err := tx.EnqueueMail(ctx, *w.mail); err != nil {
			return store.Credential{}, false, fmt.Errorf("enqueue mail: %w", err)
		}
	}
	if _, err := tx.AppendAudit(ctx, w.audit); err != nil {
		return store.Credential{}, false, fmt.Errorf("audit %s: %w", w.audit.Action, err)
	}
	if err := logIssue(ctx, tx, stored); err != nil {
		return store.Credential{}, false, err
	}
	if err := tx.AddRollups(ctx, []store.Rollup{{OrgID: stored.OrgID, AchievementID: stored.AchievementID,
		Day: stored.IssuedAt.UTC().Format("2006-01-02"), Kind: "issued", N: 1}}); err != nil {
		return store.Credential{}, false, fmt.Errorf("count issuance: %w", err)
	}
	return stored, false, nil
}

// newCredentialUUID returns a version 7 UUID (RFC 9562): 48 bits of Unix
// milliseconds, then 74 random bits. Credential ids are the primary key of
// the credentials table and lead the key of their status entries; ids that
// grow with time land on the rightmost pages of those indexes, so a batch
// of new credentials dirties a page or two there instead of one random page
// per credential (measured: each dirty page costs the commit a WAL frame).
// The time it reveals is in the credential anyway (validFrom, the proof's
// created), and 74 random bits keep ids unguessable.
func newCredentialUUID(now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[6:]) // crypto/rand.Read never fails on supported platforms
	ms := uint64(now.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// buildCredential assembles the unsigned OpenBadgeCredential.
func buildCredential(req Request, id string, issuer map[string]any, data *achievementData, validFrom time.Time) map[string]any {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails on supported platforms
	hashed := credential.HashedEmail(store.EmailKey(req.RecipientEmail), hex.EncodeToString(salt))
	identifiers := []any{map[string]any{
		"type":         "IdentityObject",
		"identityType": credential.IdentityTypeEmailAddress,
		"hashed":       true,
		"identityHash": hashed.IdentityHash,
		"salt":         hashed.Salt,
	}}
	for _, idf := range req.Identifiers {
		identifiers = append(identifiers, map[string]any{
			"type":         "IdentityObject",
			"identityType": idf.Type,
			"hashed":       false,
			"identityHash": idf.Value,
		})
	}
	subject := map[string]any{
		"type":        []any{"AchievementSubject"},
		"identifier":  identifiers,
		"achievement": data.ob3,
	}
	if req.RecipientName != "" {
		// The learner's name as the VC 2.0 "name" of the subject, which
		// wallets and verify.Describe display. An IdentityObject with
		// identityType "name" would be the other place, but
		// credential.ValidateMap does not accept that enumeration value.
		subject["name"] = req.RecipientName
	}
	if req.RecipientDID != "" {
		subject["id"] = req.RecipientDID
	}
	if req.Narrative != "" {
		subject["narrative"] = req.Narrative
	}
	doc := map[string]any{
		"@context":          []any{credential.ContextV2, credential.ContextOB},
		"id":                id,
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              data.entry.Name,
		"issuer":            issuer,
		"validFrom":         credential.FormatDateTime(validFrom),
		"credentialSubject": subject,
	}
	if !req.ValidUntil.IsZero() {
		doc["validUntil"] = credential.FormatDateTime(req.ValidUntil)
	}
	var evidence []any
	if req.EvidenceURL != "" {
		evidence = append(evidence, map[string]any{"id": req.EvidenceURL, "type": []any{"Evidence"}})
	}
	for _, ev := range req.Evidence {
		o := map[string]any{"type": []any{"Evidence"}}
		for k, v := range map[string]string{"id": ev.ID, "name": ev.Name, "description": ev.Description, "narrative": ev.Narrative, "genre": ev.Genre} {
			if v != "" {
				o[k] = v
			}
		}
		evidence = append(evidence, o)
	}
	if evidence != nil {
		doc["evidence"] = evidence
	}
	if len(req.Results) > 0 {
		results := make([]any, len(req.Results))
		for i, res := range req.Results {
			o := map[string]any{"type": []any{"Result"}}
			if res.Value != "" {
				o["value"] = res.Value
			}
			if res.Status != "" {
				o["status"] = res.Status
			}
			rd := res.ResultDescription
			if rd == "" && len(data.entry.ResultDescription) > 0 {
				rd = data.entry.ResultDescription[0].ID
			}
			if rd != "" {
				o["resultDescription"] = rd
			}
			results[i] = o
		}
		subject["result"] = results
	}
	return doc
}

// sign secures doc in the given format and returns the stored form: the
// JSON document for Data Integrity, the compact JWS for JWT. tmpl, when not
// nil, is the template doc was built from: its prepared parts spare
// canonicalizing and encoding them again.
//
// It also returns where the template's achievement starts in the stored
// form (-1 when it is not there as prepared), for store.Credential's
// SharedPart.
func sign(doc map[string]any, kp *keys.KeyPair, format store.Format, created time.Time, tmpl *credTemplate) (string, int, error) {
	var suite string
	switch format {
	case store.FormatJWT:
		token, err := proof.SignJWT(doc, kp, "")
		if err != nil {
			return "", -1, fmt.Errorf("issue: sign JWT: %w", err)
		}
		return token, -1, nil
	case store.FormatLDPJCS:
		suite = proof.SuiteJCS
	case store.FormatLDPRDFC:
		suite = proof.SuiteRDFC
	default:
		return "", -1, fmt.Errorf("issue: unknown format %q", format)
	}
	opt := proof.Options{Suite: suite, Created: created}
	var buf bytes.Buffer
	achAt := -1
	var raw func(map[string]any) []byte
	if tmpl != nil {
		opt.Template = tmpl.canon
		raw = func(m map[string]any) []byte {
			b := tmpl.raw(m)
			if b != nil && reflect.ValueOf(m).Pointer() == tmpl.achPtr {
				achAt = buf.Len() // AppendJSON writes b here
			}
			return b
		}
	}
	signed, err := proof.Sign(doc, kp, opt)
	if err != nil {
		return "", -1, fmt.Errorf("issue: sign %s: %w", suite, err)
	}
	credential.ProofAsArray(signed)
	buf.Grow(8192)
	if err := credential.AppendJSON(&buf, signed, raw); err != nil {
		return "", -1, fmt.Errorf("issue: encode credential: %w", err)
	}
	return buf.String(), achAt, nil
}

// learnerMail is the notification a recipient gets.
func (s *Service) learnerMail(c store.Credential, org store.Organization, a *catalog.Achievement) store.Mail {
	greeting := "Hello,"
	if c.RecipientName != "" {
		greeting = "Hello " + c.RecipientName + ","
	}
	body := fmt.Sprintf("%s\n\n%s has awarded you the credential %q.\n\nView, share or download it here:\n%s\n\n"+
		"Add it to your microcred wallet, where you keep, share and export your credentials (the link works once, for %d days):\n%s\n\n"+
		"The credential is digitally signed by %s, so anyone you share it with can check that it is genuine.\n",
		greeting, org.Name, a.Name, s.PublicURL(c), int(ClaimLinkLifetime/(24*time.Hour)), s.ClaimURL(c), org.Name)
	return store.Mail{To: c.RecipientEmail, Subject: "You have earned: " + a.Name, Body: body, OrgID: org.ID}
}

// CredentialUUID returns the uuid of an urn:uuid credential id
// ("urn:uuid:X" → "X"); other ids are returned unchanged.
func (s *Service) CredentialUUID(id string) string {
	if len(id) > len("urn:uuid:") && strings.EqualFold(id[:len("urn:uuid:")], "urn:uuid:") {
		return id[len("urn:uuid:"):]
	}
	return id
}

// PublicURL returns the public page of a credential: BaseURL/c/<uuid>.
func (s *Service) PublicURL(c store.Credential) string {
	s.init()
	return s.base + "/c/" + s.CredentialUUID(c.ID)
}

// SetPrivate hides a credential from public pages, or shows it again. Only
// the learner the credential is linked to may do so (ErrForbidden
// otherwise); the change is audited as "credential.private" or
// "credential.public".
func (s *Service) SetPrivate(ctx context.Context, credentialID, learnerUserID string, private bool) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		c, err := tx.Credential(ctx, credentialID)
		if err != nil {
			return fmt.Errorf("issue: set private: %w", err)
		}
		if learnerUserID == "" || c.LearnerID != learnerUserID {
			return fmt.Errorf("%w: only the credential's learner may change its visibility", ErrForbidden)
		}
		if err := tx.SetCredentialPrivate(ctx, credentialID, private); err != nil {
			return fmt.Errorf("issue: set private: %w", err)
		}
		action := "credential.public"
		if private {
			action = "credential.private"
		}
		return audit(ctx, tx, c.OrgID, learnerUserID, action, c.ID, nil)
	})
}
