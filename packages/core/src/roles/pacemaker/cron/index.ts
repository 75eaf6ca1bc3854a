export { type CronSchedule, parseCronExpression } from './cron-expression';
export { CRON_JOB, cronJob } from './cron-job';
export { CronScheduler, type CronSchedulerOptions } from './cron-scheduler';
