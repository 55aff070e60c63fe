import { CsvProblemsSchema, DataImportEnvelopeSchema, DataSetInfoSchema, StrategyConfigSchema, StrategySummarySchema } from '@ktrdr/api-contract';
import { csvProblemLines, dataImportLines, dataTableLines, formatBarTime, strategiesTableLines, strategyLines } from './output.format';

const rows = [
  { symbol: 'MYCO', timeframe: '1h', source: 'csv', start: '2021-01-04T00:00:00.000Z', end: '2021-01-04T02:00:00.000Z', bars: 3, path: '/d/MYCO_1h.csv' },
  {
    symbol: 'BROKEN',
    timeframe: '1d',
    source: 'csv',
    start: '',
    end: '',
    bars: 0,
    path: '/d/BROKEN_1d.csv',
    error: 'invalid CSV /d/BROKEN_1d.csv: line 2: high 2 < low 3',
  },
  { symbol: 'SP500', timeframe: '1d', source: 'builtin', start: '2000-01-03T00:00:00.000Z', end: '2020-04-17T00:00:00.000Z', bars: 5105 },
  { symbol: 'SYNTH_*', timeframe: '4h', source: 'synthetic', start: '2015-01-01T00:00:00.000Z', end: '2026-12-31T20:00:00.000Z', bars: 18786 },
].map((r) => DataSetInfoSchema.parse(r));

describe('market data output', () => {
  it('shows dates alone for daily bars and minutes for intraday ones', () => {
    expect(formatBarTime('2020-04-17T00:00:00.000Z', '1d')).toBe('2020-04-17');
    expect(formatBarTime('2026-12-31T20:00:00.000Z', '4h')).toBe('2026-12-31 20:00');
    expect(formatBarTime('', '1h')).toBe('-');
  });

  it('tabulates data sets with symbol, timeframe, source, range and bars, and explains unreadable files and SYNTH_*', () => {
    const lines = dataTableLines(rows);
    expect(lines[0]).toMatch(/^SYMBOL\s+TIMEFRAME\s+SOURCE\s+START \(UTC\)\s+END \(UTC\)\s+BARS$/);
    expect(lines[2]).toMatch(/^MYCO\s+1h\s+csv\s+2021-01-04 00:00\s+2021-01-04 02:00\s+3$/);
    expect(lines[3]).toMatch(/^BROKEN\s+1d\s+csv \(unreadable\)\s+-\s+-\s+-$/);
    expect(lines[4]).toMatch(/^SP500\s+1d\s+builtin\s+2000-01-03\s+2020-04-17\s+5105$/);
    expect(lines).toContain('  BROKEN 1d: invalid CSV /d/BROKEN_1d.csv: line 2: high 2 < low 3');
    expect(lines.some((l) => l.startsWith('SYNTH_* stands for any symbol'))).toBe(true);
    expect(lines[lines.length - 1]).toBe('Import your own: npx ktrdr data import <file.csv> --symbol <SYMBOL> --timeframe <TIMEFRAME>');
    expect(dataTableLines([])).toEqual(['No market data found.']);
  });

  it('summarises an import, saying when it replaced an earlier one', () => {
    const res = DataImportEnvelopeSchema.parse({
      success: true,
      data: {
        symbol: 'MYCO',
        timeframe: '1d',
        bars: 2,
        start: '2021-01-04T00:00:00.000Z',
        end: '2021-01-05T00:00:00.000Z',
        path: '/d/MYCO_1d.csv',
        replaced: true,
      },
    }).data;
    expect(dataImportLines(res, 'prices.csv')).toEqual([
      'Imported 2 bars of MYCO 1d from prices.csv',
      '  Range: 2021-01-04 … 2021-01-05 (UTC)',
      '  Stored: /d/MYCO_1d.csv (replaced the previous import)',
    ]);
  });

  it('names the store entry an import went to (the API stores imports in Redis), with its blob', () => {
    const hash = 'ab12cd34ef56'.padEnd(64, '0');
    const res = DataImportEnvelopeSchema.parse({
      success: true,
      data: {
        symbol: 'MYCO',
        timeframe: '1h',
        bars: 3,
        start: '2021-01-04T00:00:00.000Z',
        end: '2021-01-04T02:00:00.000Z',
        name: 'data:MYCO:1h',
        hash,
        replaced: false,
      },
    }).data;
    expect(dataImportLines(res, 'prices.csv')).toEqual([
      'Imported 3 bars of MYCO 1h from prices.csv',
      '  Range: 2021-01-04 00:00 … 2021-01-04 02:00 (UTC)',
      '  Stored: data:MYCO:1h (blob ab12cd34ef56…)',
    ]);
    const rows = dataTableLines([DataSetInfoSchema.parse({ ...res, source: 'store' })]);
    expect(rows[2]).toMatch(/^MYCO\s+1h\s+store\s+2021-01-04 00:00\s+2021-01-04 02:00\s+3$/);
  });

  it('lists every refused row with its line number and counts the ones not shown', () => {
    const details = CsvProblemsSchema.parse({
      problems: [
        { line: 4, message: 'high 9 < low 11' },
        { line: 7, message: 'negative volume -5' },
      ],
      total_problems: 25,
    });
    expect(csvProblemLines('bad.csv', details)).toEqual([
      'Import refused: bad.csv has 25 bad rows (nothing was stored)',
      '  line 4: high 9 < low 11',
      '  line 7: negative volume -5',
      '  … and 23 more',
    ]);
    expect(csvProblemLines('one.csv', CsvProblemsSchema.parse({ problems: [{ line: 1, message: 'header must name columns volume' }] }))[0]).toBe(
      'Import refused: one.csv has 1 bad row (nothing was stored)',
    );
  });
});

describe('strategy output', () => {
  it('tabulates strategies and lists the first error of each invalid one', () => {
    const list = [
      {
        name: 'half_done',
        valid: false,
        errors: ['training_data: required', 'indicators: required'],
        description: 'wip',
        symbols: [],
        timeframes: [],
        path: 'strategies/half_done.yaml',
      },
      { name: 'v3_minimal', valid: true, description: 'RSI on daily SP500', symbols: ['SP500'], timeframes: ['1d'], path: 'strategies/v3_minimal.yaml' },
    ].map((s) => StrategySummarySchema.parse(s));
    const lines = strategiesTableLines(list);
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+SYMBOLS\s+TIMEFRAMES\s+DESCRIPTION$/);
    expect(lines[2]).toMatch(/^half_done\s+INVALID\s+-\s+-\s+wip$/);
    expect(lines[3]).toMatch(/^v3_minimal\s+valid\s+SP500\s+1d\s+RSI on daily SP500$/);
    expect(lines).toContain('  half_done: training_data: required (+1 more)');
    expect(lines[lines.length - 1]).toBe('2 strategies (1 invalid). Show one with: npx ktrdr strategies show <name>');
    expect(strategiesTableLines([])).toEqual(['No strategies found.']);
  });

  it('shows a strategy section by section', () => {
    const config = StrategyConfigSchema.parse({
      name: 'demo',
      description: 'a demo',
      version: '3.0',
      training_data: { symbols: ['SYNTH_A', 'SP500'], timeframes: ['1h', '4h'], date_range: { start: '2016-01-01', end: '2021-12-31' } },
      indicators: { rsi_14: { type: 'rsi', period: 14 }, bb: { type: 'bbands', period: 20, std_dev: 2 } },
      fuzzy_sets: { rsi_14: { indicator: 'rsi_14', low: { type: 'triangular', parameters: [0, 20, 35] } } },
      nn_inputs: [{ fuzzy_set: 'rsi_14', timeframes: 'all' }],
      model: {
        type: 'mlp',
        architecture: { hidden_layers: [32, 16], activation: 'tanh', dropout: 0.2 },
        training: { learning_rate: 0.01, batch_size: 128, epochs: 30 },
      },
      training: { labels: { source: 'zigzag', zigzag_threshold: 0.02, label_lookahead: 10 }, data_split: { train: 0.7, validation: 0.15, test: 0.15 } },
      backtest: { date_range: { start: '2022-01-01', end: '2023-12-31' }, initial_capital: 50000, commission: 0.001, slippage: 0.0005 },
    });
    const lines = strategyLines(config);
    expect(lines.slice(0, 3)).toEqual(['Strategy: demo', '  Description: a demo', '  Version: 3.0']);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  Symbols: SYNTH_A, SP500',
        '  Timeframes: 1h, 4h',
        '  Dates: 2016-01-01 … 2021-12-31',
        '  rsi_14: rsi(period=14)',
        '  bb: bbands(period=20, std_dev=2)',
        '  rsi_14 (on rsi_14): low triangular [0, 20, 35]',
        '  rsi_14 on all',
        '  mlp 32-16, tanh, dropout 0.2',
        '  learning rate 0.01, batch 128, up to 30 epochs',
        '  zigzag(zigzag_threshold=0.02, label_lookahead=10)',
        '  train 70.0%, validation 15.0%, test 15.0%',
        '  Capital 50000, commission 0.1%, slippage 0.05%',
      ]),
    );
  });
});
