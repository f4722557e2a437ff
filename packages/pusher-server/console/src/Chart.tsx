import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

/** A small live line chart: `data[0]` is time in seconds, one more array per named series. */
export function Chart(props: { title: string; names: string[]; data: number[][] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = props.names.join('|');

  // A new set of peers needs new series: the chart is rebuilt, otherwise only its data changes.
  useEffect(() => {
    if (!box.current) return undefined;
    const series = [{}, ...props.names.map((name, i) => ({ label: name, stroke: COLORS[i % COLORS.length] }))];
    const options = { title: props.title, width: 460, height: 180, series, scales: { x: { time: true } } };
    plot.current = new uPlot(options, props.data as uPlot.AlignedData, box.current);
    return () => plot.current?.destroy();
  }, [key]);

  useEffect(() => plot.current?.setData(props.data as uPlot.AlignedData), [props.data]);
  return <div class="chart" ref={box} />;
}
