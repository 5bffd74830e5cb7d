// Recurring background work on pg-boss: one queued run per interval across every replica.
export { BackgroundJobs, type RecurringJob } from './backgroundJobs.js';
