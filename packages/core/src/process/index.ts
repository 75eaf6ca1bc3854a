export { isProcessRunning, processGroupExists } from './process-liveness';
export {
  type ProcessRecord,
  type ProcessStat,
  readProcessRecord,
  readProcessStat,
  removeProcessRecord,
} from './process-record';
export { runningProcessRecord, stopRecordedProcessGroup } from './recorded-process-group';
export { type StartProcessGroupOptions, startProcessGroup } from './start-process-group';
export { type StopProcessGroupOptions, stopProcessGroup } from './stop-process-group';
