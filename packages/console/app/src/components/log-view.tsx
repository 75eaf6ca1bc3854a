import { useEffect, useRef, useState } from 'preact/hooks';
import { jobStream, type StreamState } from '../api/job-stream';

/** Keeps the last lines only: a long log stays responsive. */
const MAX_CHARS = 512 * 1024;

/** A job's log, following live; after a dropped connection it continues where it was. */
export function LogView({ jobId }: { jobId: string }) {
  const [text, setText] = useState('');
  const [missing, setMissing] = useState(false);
  const [state, setState] = useState<StreamState>(jobStream().state);
  const pre = useRef<HTMLPreElement>(null);

  useEffect(() => {
    setText('');
    setMissing(false);
    const stream = jobStream();
    const stopState = stream.onState(setState);
    const stopLog = stream.followLog(
      jobId,
      (part) => {
        setMissing(false);
        setText((current) => (current + part).slice(-MAX_CHARS));
      },
      () => setMissing(true),
    );
    return () => {
      stopLog();
      stopState();
    };
  }, [jobId]);

  useEffect(() => {
    const element = pre.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [text]);

  return (
    <section class="log-view" aria-label="Job log">
      <p class="log-status" aria-live="polite">
        Log of job <code>{jobId}</code>: {state === 'live' ? 'following' : 'reconnecting…'}
        {missing ? ' (no log yet)' : ''}
      </p>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling log must be reachable by keyboard to scroll it */}
      <pre ref={pre} class="log-text" tabIndex={0} data-job-id={jobId}>
        {text}
      </pre>
    </section>
  );
}
