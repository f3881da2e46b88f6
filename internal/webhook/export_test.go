package webhook

// QueueSize lets tests overflow the queue on purpose.
const QueueSize = queueSize
