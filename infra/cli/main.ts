import { runCli } from './cli';
import { connect, connectOperations } from './connect';
import { stdioOutput } from './output';

/** Entry point of `switchboard` (see bin/switchboard.js). */
void runCli(process.argv.slice(2), { out: stdioOutput, connect, connectOperations }).then((code) => {
  process.exitCode = code;
});
