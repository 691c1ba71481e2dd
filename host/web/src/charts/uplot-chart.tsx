// A uPlot chart as a component: created once per theme, data swapped in place, resized with
// its container. uPlot draws 10,000 points on a canvas in a few milliseconds.
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { useTheme } from '../hooks';

export interface ChartProps {
  /** Options without width/height, built for the current theme. */
  options: () => Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  /** Changes when the series set changes (recreates the chart). */
  shape: string;
  height: number;
  label: string;
  testId: string;
  points: number;
}

export function UPlotChart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const theme = useTheme();

  useLayoutEffect(() => {
    const el = host.current!;
    const plot = new uPlot(
      { ...props.options(), width: Math.max(200, el.clientWidth), height: props.height },
      props.data,
      el,
    );
    chart.current = plot;
    const observer = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(200, el.clientWidth), height: props.height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [theme, props.shape, props.height]);

  useEffect(() => {
    chart.current?.setData(props.data);
  }, [props.data]);

  return (
    <div ref={host} class="chart" role="img" aria-label={props.label} data-testid={props.testId}
      data-points={props.points} />
  );
}
