// Errors: one class with a machine-readable code; the API maps it to a status and a JSON body.
export { CustosError, causes, isUnreachable, withDatabase, type ErrorCode } from './custosError.js';
