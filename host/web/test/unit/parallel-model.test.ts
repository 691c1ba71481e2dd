import { describe, expect, it } from 'vitest';
import { parallelModel } from '../../src/charts/parallel-model';
import { rowWindow } from '../../src/components/virtual-rows';
import { trial } from './fixtures';

describe('parallelModel', () => {
  const trials = [
    trial({ id: 'a', sequenceId: 0, finalMetric: 1, parameters: { lr: 0.001, opt: 'sgd', bs: 32 } }),
    trial({ id: 'b', sequenceId: 1, finalMetric: 3, parameters: { lr: 0.1, opt: 'adam', bs: 128 } }),
    trial({ id: 'c', sequenceId: 2, finalMetric: 2, parameters: { lr: 0.01, opt: 'sgd', bs: 64 } }),
    trial({ id: 'd', sequenceId: 3, finalMetric: null, parameters: { lr: 0.5, opt: 'x', bs: 1 } }),
  ];
  const space = { lr: { _type: 'loguniform', _value: [0.0001, 1] }, bs: { _type: 'choice', _value: [32, 64, 128] } };

  it('draws one line per trial with a final metric and one axis per parameter plus the metric', () => {
    const model = parallelModel(trials, ['lr', 'opt', 'bs'], space, 'maximize');
    expect(model.lines.map((l) => l.id)).toEqual(['a', 'b', 'c']);
    expect(model.axes.map((a) => a.kind)).toEqual(['log', 'category', 'category', 'linear']);
    expect(model.axes[2].categories).toEqual(['32', '64', '128']);
  });

  it('places log-sampled values evenly on a log axis', () => {
    const model = parallelModel(trials, ['lr'], space, 'maximize');
    expect(model.lines.map((l) => l.positions[0])).toEqual([0, 1, 0.5]);
  });

  it('orders categories and maps the metric to goodness by the optimise mode', () => {
    const max = parallelModel(trials, ['opt'], space, 'maximize');
    expect(max.axes[0].categories).toEqual(['adam', 'sgd']);
    expect(max.lines.map((l) => l.goodness)).toEqual([0, 1, 0.5]);
    const min = parallelModel(trials, ['opt'], space, 'minimize');
    expect(min.lines.map((l) => l.goodness)).toEqual([1, 0, 0.5]);
  });
});

describe('rowWindow', () => {
  it('renders only the visible rows plus overscan', () => {
    const w = rowWindow(10_000, 32, 32 * 5000, 640, 10);
    expect(w.first).toBe(4990);
    expect(w.last).toBe(4990 + 20 + 20);
    expect(w.padTop).toBe(4990 * 32);
    expect(w.padTop + (w.last - w.first) * 32 + w.padBottom).toBe(10_000 * 32);
  });
  it('clamps at both ends', () => {
    expect(rowWindow(5, 32, 0, 640)).toEqual({ first: 0, last: 5, padTop: 0, padBottom: 0 });
  });
});
