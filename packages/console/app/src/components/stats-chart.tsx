import type { PacemakerApiSchemas } from '@paasmaker/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';

const readStats = (versionId: number) =>
  api.GET('/api/v1/stats/versions/{versionId}', { params: { path: { versionId }, query: { minutes: 60 } } });

const REFRESH_MS = 15_000;

/**
 * Requests/s, errors/s and average latency of a version over the last hour, per minute, read again
 * every 15 s. uPlot is loaded on first use, so pages without charts stay small.
 */
export function StatsChart({ versionId, label }: { versionId: number; label: string }) {
  const [stats, setStats] = useState<PacemakerApiSchemas['RouterStatsSeries']>();
  const [error, setError] = useState<string>();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    const read = async () => {
      const { data, error: failure } = await readStats(versionId);
      if (!live) return;
      if (data) setStats(data.data);
      else setError((failure as { error?: { message?: string } } | undefined)?.error?.message ?? 'no stats');
    };
    void read();
    const timer = setInterval(read, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [versionId]);

  useEffect(() => {
    const element = box.current;
    if (!stats || !element) return;
    let chart: { destroy(): void } | undefined;
    let live = true;
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([{ default: UPlot }]) => {
      if (!live) return;
      const times = stats.series.map((point) => Date.parse(point.at) / 1000);
      const perSecond = (values: number[]) => values.map((value) => value / 60);
      chart = new UPlot(
        {
          width: Math.max(element.clientWidth, 320),
          height: 180,
          scales: { latency: { auto: true } },
          axes: [
            {},
            { label: 'per second' },
            { scale: 'latency', side: 1, label: 'ms', grid: { show: false } },
          ],
          series: [
            {},
            { label: 'requests/s', stroke: '#1f5fbf' },
            { label: 'errors/s', stroke: '#b3261e' },
            { label: 'latency ms', stroke: '#8a6d00', scale: 'latency' },
          ],
        },
        [
          times,
          perSecond(stats.series.map((point) => point.requests)),
          perSecond(stats.series.map((point) => point['5xx'] + point.noBackend)),
          stats.series.map((point) => (point.timeCount > 0 ? point.time / point.timeCount : 0)),
        ],
        element,
      );
    });
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [stats]);

  return (
    <figure class="stats-chart" aria-label={`Router stats of ${label}`}>
      <figcaption>
        {label}:{' '}
        {stats ? (
          <span class="stats-totals" data-requests={stats.totals.requests}>
            {stats.totals.requests} requests, {stats.totals['5xx'] + stats.totals.noBackend} errors in the
            last {stats.minutes} minutes
          </span>
        ) : (
          (error ?? 'loading…')
        )}
      </figcaption>
      <div ref={box} class="stats-plot" />
    </figure>
  );
}
