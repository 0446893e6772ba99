// Chart.js with only the parts the pages use. Every chart has a text alternative beside it (a table with the
// same figures), and its series are told apart by their labels, not by colour alone.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.font.family = 'arial, sans-serif';
Chart.defaults.color = '#0b0c0c';
Chart.defaults.animation = false;

// The GOV.UK palette for the levels.
export const LEVEL_COLOURS: Record<string, string> = {
  serious: '#d4351c',
  significant: '#f47738',
  at_risk: '#ffdd00',
  none: '#b1b4b6',
};

export function drawChart(canvas: HTMLCanvasElement, config: ChartConfiguration): Chart {
  return new Chart(canvas, config);
}
