export { isProcessRunning } from './process-liveness';
export {
  type ProcessRecord,
  readProcessRecord,
  removeProcessRecord,
} from './process-record';
export { runningProcessRecord, stopRecordedProcessGroup } from './recorded-process-group';
export { type StartProcessGroupOptions, startProcessGroup } from './start-process-group';
export { type StopProcessGroupOptions, stopProcessGroup } from './stop-process-group';
