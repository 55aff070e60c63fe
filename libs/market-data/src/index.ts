export * from './bars.types.js';
export * from './market-data.error.js';
export * from './date.window.js';
export * from './ohlcv-csv.parser.js';
export * from './synthetic.generator.js';
export * from './sp500.source.js';
export * from './market-data.repository.js';
export * from './bars.codec.js';
