import { render } from 'preact';
import { App } from './app';
import { LiveConnection } from './live';
import { Store } from './state';
import { applyStoredTheme } from './theme';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

applyStoredTheme();
const store = new Store();
const live = new LiveConnection(store);
live.start();
render(<App store={store} live={live} />, document.getElementById('app')!);
