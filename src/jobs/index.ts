// Recurring background work on pg-boss: one active run per job across every replica.
export { BackgroundJobs, type RecurringJob } from './backgroundJobs.js';
