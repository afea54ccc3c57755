import { isDatabaseUnavailableError, redactDatabaseUri } from './database-errors.js';

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
