import { ErrorCode, KtrdrError, type ErrorDetails } from '@ktrdr/errors';

/** The feature matrix, labels or split handed to the trainer are inconsistent (a caller bug or bad data). */
export class TrainingInputError extends KtrdrError {
  constructor(message: string, details?: ErrorDetails) {
    super(ErrorCode.ValidationFailed, message, details);
  }
}

/** Training produced no usable model (every epoch's validation loss was NaN or infinite). */
export class TrainingDivergedError extends KtrdrError {
  constructor(message: string, details?: ErrorDetails) {
    super(ErrorCode.ExecutorFailed, message, details);
  }
}
