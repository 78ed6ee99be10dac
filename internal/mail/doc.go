// Package mail delivers the messages of the store's outbox.
//
// Mail is never sent while a request is being handled: the request writes it
// to the outbox in the same transaction as the change it reports (see
// store.Store.EnqueueMail), and a Worker delivers it afterwards. A rolled-back
// request therefore sends nothing, and a crash between commit and delivery
// loses nothing. Workers on several nodes may run at once: each claims
// messages with a lease (store.Store.ClaimMail), so no message is sent twice
// at the same time, and a failed message is retried with exponential
// back-off until store.MaxMailAttempts.
//
// SMTPSender speaks SMTP with STARTTLS when the server offers it (smtp://)
// or implicit TLS (smtps://), authenticating with PLAIN when the URL carries
// credentials. The password never appears in errors or logs.
package mail
