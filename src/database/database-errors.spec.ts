import mongoose, { Schema } from 'mongoose';
import {
  describeInvalidDataError,
  isDatabaseUnavailableError,
  isInvalidDataError,
  redactDatabaseUri,
} from './database-errors.js';

describe('redactDatabaseUri', () => {
  it.each([
    [
      'mongodb://user:p%40ss@db.example.com:27017/meet?authSource=admin',
      'mongodb://db.example.com:27017/meet',
    ],
    [
      'mongodb+srv://u:secret@cluster0.example.net/prod?retryWrites=true',
      'mongodb+srv://cluster0.example.net/prod',
    ],
    ['mongodb://127.0.0.1:27017', 'mongodb://127.0.0.1:27017'],
    ['mongodb://a:1,b:2/x', 'mongodb://a:1,b:2/x'],
  ])('%s → %s', (uri, expected) => {
    expect(redactDatabaseUri(uri)).toBe(expected);
  });
});

describe('isDatabaseUnavailableError', () => {
  function named(name: string, message = 'x'): Error {
    const error = new Error(message);
    error.name = name;
    return error;
  }

  it('recognises the driver network and selection errors, also as a cause', () => {
    expect(isDatabaseUnavailableError(named('MongoServerSelectionError'))).toBe(true);
    expect(isDatabaseUnavailableError(named('MongoNetworkError'))).toBe(true);
    expect(
      isDatabaseUnavailableError(
        new Error('wrapped', { cause: named('MongoNetworkTimeoutError') }),
      ),
    ).toBe(true);
  });

  it('recognises raw socket errors the driver lets through', () => {
    const epipe = Object.assign(new Error('This socket has been ended by the other party'), {
      code: 'EPIPE',
    });
    expect(isDatabaseUnavailableError(epipe)).toBe(true);
  });

  it('does not treat query errors or non-errors as unavailability', () => {
    expect(isDatabaseUnavailableError(named('MongoServerError', 'E11000 duplicate key'))).toBe(
      false,
    );
    expect(isDatabaseUnavailableError(named('ValidationError'))).toBe(false);
    expect(isDatabaseUnavailableError('MongoNetworkError')).toBe(false);
  });
});

describe('isInvalidDataError', () => {
  const connection = mongoose.createConnection();
  const Probe = connection.model(
    'Probe',
    new Schema({ name: { type: String, required: true }, count: Number }, { strict: 'throw' }),
  );
  afterAll(() => connection.close());

  async function thrown(action: () => unknown): Promise<unknown> {
    try {
      await action();
    } catch (error) {
      return error;
    }
    throw new Error('nothing was thrown');
  }

  it('recognises what Mongoose throws for bad data, and describes it without the values', async () => {
    const validation = await thrown(() => new Probe({ count: 'secret-value' }).validate());
    const cast = await thrown(() => Probe.find({ _id: 'secret-value' }).cast());
    const strict = await thrown(() => new Probe({ name: 'n', extra: 'secret-value' }));
    for (const error of [validation, cast, strict]) {
      expect(isInvalidDataError(error)).toBe(true);
      expect(describeInvalidDataError(error)).not.toContain('secret-value');
    }
    expect(describeInvalidDataError(validation)).toBe(
      'ValidationError at count (Number), name (required)',
    );
    expect(describeInvalidDataError(cast)).toBe('CastError to ObjectId at _id');
    expect(describeInvalidDataError(strict)).toBe('StrictModeError at extra');
  });

  it('recognises invalid ids and documents too large to store', async () => {
    expect(isInvalidDataError(await thrown(() => new mongoose.Types.ObjectId('nope')))).toBe(true);
    const tooLarge = Object.assign(new Error('object to insert too large'), { code: 10334 });
    expect(isInvalidDataError(tooLarge)).toBe(true);
    const bulk = new Error('Document is larger than the maximum size 16777216');
    bulk.name = 'MongoInvalidArgumentError';
    expect(isInvalidDataError(bulk)).toBe(true);
  });

  it('leaves server faults and unavailability alone', () => {
    const other = new Error('Method not supported');
    other.name = 'MongoInvalidArgumentError';
    const named = (name: string): Error => Object.assign(new Error('x'), { name });
    for (const error of [
      other,
      named('MongoServerSelectionError'),
      named('ValidationError'), // not Mongoose's
      named('TypeError'),
      Object.assign(new Error('E11000 duplicate key'), { code: 11000 }),
      'CastError',
      null,
    ]) {
      expect(isInvalidDataError(error)).toBe(false);
    }
  });
});
