package webhook

// PendingPage lets tests build a backlog longer than one read of the worker.
const PendingPage = pendingPage
