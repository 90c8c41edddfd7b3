/**
 * The `cortex` command: argument parsing (commander), dispatch to the subcommands, and
 * turning every failure into one line and an exit code (see `./errors.ts`).
 * @module
 */
import { Command, CommanderError, Option } from 'commander';
import { LIBRARY_VERSION } from '../io/version.js';
import { demoCommand } from './commands/demo.js';
import { FASHION_MODELS, type FashionFlags } from './commands/demo-fashion.js';
import type { CharGptFlags } from './commands/demo-char-gpt.js';
import { EXPLAIN_METHODS, type ExplainFlags, explainCommand } from './commands/explain.js';
import { evaluateCommand } from './commands/evaluate.js';
import { EXPORT_FORMATS, type ExportFlags, exportCommand } from './commands/export.js';
import { infoCommand } from './commands/info.js';
import { type PredictFlags, predictCommand } from './commands/predict.js';
import { ACTIVATIONS, OPTIMIZERS, type TrainFlags, trainCommand } from './commands/train.js';
import { IMPUTE_MODES } from './tables.js';
import { EXIT, errorJson, exitCodeFor, oneLine } from './errors.js';
import { colourFor, makeOutput, type Output } from './style.js';

interface Common {
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('--json', 'print machine-readable JSON on stdout')
    .option('--verbose', 'more detail; stack traces on errors')
    .option('--no-color', 'no colour, even on a terminal');
}

const DELIMITER = '--delimiter <char>';
const DELIMITER_HELP = "the CSV field delimiter ('tab' for a tab)";

/** Builds the command tree. `run` receives the action and its output. */
function build(run: (action: (out: Output) => Promise<void>, opts: Common) => Promise<void>): Command {
  const program = new Command('cortex')
    .description('Train, evaluate and use neural networks on CSV files.')
    .version(LIBRARY_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  cortex demo                                      train on a spiral and draw what was learned',
        '  cortex train data/iris.csv --target species      train, print metrics, save data/iris.cortex',
        '  cortex evaluate data/iris.cortex data/iris.csv   metrics of a saved model on a labelled CSV',
        '  cortex predict data/iris.cortex new.csv --out preds.csv --proba',
        '  cortex export data/iris.cortex --format onnx     write data/iris.onnx, which takes the raw columns',
        '  cortex info data/iris.cortex',
        '',
        'Exit codes: 0 success, 1 usage error, 2 data or model error, 3 training diverged.',
      ].join('\n'),
    );

  withCommon(
    program
      .command('train')
      .description('train a network on a CSV file and save it with its preprocessing')
      .argument('<data.csv>', 'training data with a header row')
      .requiredOption('--target <column>', 'the column to predict')
      .option('--layers <sizes>', 'hidden layer sizes, comma-separated', '32,16')
      .addOption(new Option('--activation <name>', 'hidden activation').choices(ACTIVATIONS).default('relu'))
      .addOption(new Option('--task <task>', 'what to learn').choices(['auto', 'classification', 'regression']).default('auto'))
      .option('--epochs <n>', 'passes over the training rows', '100')
      .option('--batch-size <n>', 'rows per gradient step', '32')
      .option('--lr <rate>', 'learning rate', '0.003')
      .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZERS).default('adam'))
      .option('--val-split <fraction>', 'fraction of rows held out for validation (stratified for classification)', '0.2')
      .option('--test <test.csv>', 'a separate labelled CSV to report metrics on')
      .option('--seed <n>', 'seed of the split, the initial weights and the shuffling', '42')
      .option(
        '--early-stopping <patience>',
        'stop after this many epochs without a better validation loss, keeping the best epoch\'s weights; "off" trains every epoch (default: 10 with a validation split, off without one)',
      )
      .option('--weight-decay <lambda>', 'weight decay (an L2 penalty; decoupled from the gradient for adamw)', '0.001')
      .option('--dropout <p>', 'dropout after each hidden layer, 0 to below 1', '0')
      .option('--clip-grad-norm <max>', 'clip the global gradient norm to this value')
      .option('--id <column>', 'a column to carry through to predictions instead of using as a feature (default: a unique column named id or *_id)')
      .option('--drop <columns>', 'comma-separated columns to leave out (predict and evaluate then ignore them too)')
      .option(
        '--keep <columns>',
        'comma-separated text columns to use even though they look like free text (by default a text column with more than 20 distinct values and, on average, fewer than 5 non-missing cells per value is left out, with a warning)',
      )
      .addOption(
        new Option('--impute <how>', 'missing feature cells: fill with the mean, median or most frequent value (text columns: most frequent), drop the rows, or stop with an error')
          .choices(IMPUTE_MODES)
          .default('mean'),
      )
      .option(DELIMITER, DELIMITER_HELP, ',')
      .option('--out <model>', 'where to save the model (default: next to the data, data/train.csv → data/train.cortex)')
      .option('--force', 'replace the model at the output path even if it was trained for another target or task')
      .option('--checkpoint <file>', 'save a checkpoint (weights, optimizer state, epoch) here after every epoch')
      .option('--resume <file>', 'continue from a checkpoint written with the same data and options (and keep checkpointing to it)')
      // differential privacy (issue 15)
      .option('--dp-epsilon <epsilon>', 'train with differential privacy (DP-SGD): the noise is calibrated so that the planned epochs spend at most this ε')
      .option('--dp-delta <delta>', 'the δ of the privacy guarantee, below 1/rows (default 1e-5; with --dp-epsilon)')
      .option('--max-grad-norm <C>', "clip every row's gradient to this norm before the noise is added (default 1; with --dp-epsilon)"),
  ).action((data: string, flags: TrainFlags & Common) => run((out) => trainCommand(data, flags, out), flags));

  withCommon(
    program
      .command('evaluate')
      .description('print the metrics of a saved model on a labelled CSV file (or, for an image classifier, on labelled IDX images)')
      .argument('<model>', 'a model file saved by cortex train (or cortex demo fashion-mnist --out)')
      .argument('<data>', 'a CSV with the model’s columns and the target; for an image model: "fashion-mnist", a folder of IDX files or an …-images-idx3-ubyte[.gz] file')
      .option(DELIMITER, DELIMITER_HELP, ','),
  ).action((model: string, data: string, flags: Common & { delimiter: string }) => run((out) => evaluateCommand(model, data, flags, out), flags));

  withCommon(
    program
      .command('predict')
      .description('predict every row of a CSV file (streamed, so any size works)')
      .argument('<model>', 'a model file saved by cortex train')
      .argument('<data.csv>', 'a CSV with the model’s input columns')
      .option('--out <preds.csv>', 'write predictions here (default: stdout)')
      .option('--proba', 'add one probability column per class')
      .option('--id <column>', 'carry this column through (default: the id column seen in training)')
      .option(DELIMITER, DELIMITER_HELP, ','),
  ).action((model: string, data: string, flags: Common & PredictFlags) =>
    run((out) => predictCommand(model, data, flags, out), flags),
  );

  withCommon(
    program
      .command('explain')
      .description('explain each row\'s prediction: attributions per input column, and a global importance chart')
      .argument('<model>', 'a model file saved by cortex train')
      .argument('<rows.csv>', 'a CSV with the model’s input columns')
      .addOption(new Option('--method <name>', 'attribution method').choices([...EXPLAIN_METHODS]).default('integrated-gradients'))
      .option('--steps <n>', 'integration steps (integrated-gradients) or samples (gradient-shap)', '50')
      .option('--rows <n>', 'explain at most this many rows (default: 1000)')
      .option(DELIMITER, DELIMITER_HELP, ','),
  ).action((model: string, data: string, flags: Common & ExplainFlags) => run((out) => explainCommand(model, data, flags, out), flags));

  withCommon(
    program
      .command('export')
      .description(
        'write a model as an ONNX file; a model from cortex train takes the raw CSV columns (its preprocessing is part of the graph), a sequence model its input laid out as the model reads it (batch first or time-major), a GPT (or a model whose first layer is an Embedding) int64 token ids [batch, seq]',
      )
      .argument('<model>', 'a model file')
      .addOption(new Option('--format <format>', 'the file format').choices([...EXPORT_FORMATS]).default('onnx'))
      .option('-o, --out <file>', 'where to write (default: next to the model, iris.cortex → iris.onnx)')
      .option(
        '--dynamic-sequence',
        'a sequence model (RNN/LSTM/GRU in a RecurrentOutput, a transformer encoder or a GPT) takes any sequence length (a symbolic seq_len axis; a GPT at most its block size) instead of the one its file records; the input is [batch, seq, features], or [seq, batch, features] when the model is time-major, and token ids [batch, seq] for a GPT',
      ),
  ).action((model: string, flags: Common & ExportFlags) => run((out) => exportCommand(model, flags, out), flags));

  withCommon(
    program
      .command('info')
      .description('show a model’s architecture, parameters, schema, metrics and training configuration (or an .onnx file’s graph and whether Cortex can import it)')
      .argument('<model>', 'a model file (.cortex or .onnx)'),
  ).action((model: string, flags: Common) => run((out) => infoCommand(model, out), flags));

  withCommon(
    program
      .command('demo')
      .description('train on built-in data and show the results (about 30 seconds; fashion-mnist about a minute)')
      .argument('[name]', 'xor, spiral, iris, fashion-mnist or char-gpt', 'spiral')
      .option('--data-dir <dir>', 'fashion-mnist: the folder of the IDX files; char-gpt: of the fortune files (default: from the Debian package)')
      .addOption(new Option('--model <kind>', 'fashion-mnist: a multilayer perceptron, or a 2-conv CNN (default: mlp)').choices([...FASHION_MODELS]))
      .option('--full', 'fashion-mnist: all 60,000 training and 10,000 test images (default: 10,000/2,000 for mlp, 8,000/2,000 for cnn)')
      .option('--epochs <n>', 'fashion-mnist: passes over the training images (default: mlp 3, cnn 2; with --full 10)')
      .option('--out <model>', 'fashion-mnist, char-gpt: save the trained model here (.cortex; cortex info shows its layers and output shapes)')
      // char-gpt
      .option('--iters <n>', 'char-gpt: optimizer steps (default 400)')
      .addHelpText(
        'after',
        [
          '',
          'Examples:',
          '  cortex demo fashion-mnist --model cnn                       a 2-conv CNN on 8,000 images, about a minute',
          '  cortex demo fashion-mnist --model cnn --full --epochs 10 --out fashion-cnn.cortex',
          '  cortex demo char-gpt                                        a character-level GPT on fortunes, about a minute',
        ].join('\n'),
      ),
  ).action((name: string, flags: Common & FashionFlags & CharGptFlags) => {
    const { json: _j, verbose: _v, color: _c, ...fashion } = flags;
    return run((out) => demoCommand(name, out, fashion), flags);
  });

  return program;
}

/**
 * Runs the `cortex` command line and returns the exit code: 0 success, 1 usage error,
 * 2 data or model error, 3 training diverged.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const fail = (e: unknown, asJson: boolean, withStack: boolean): number => {
    const exit = exitCodeFor(e);
    if (asJson) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: errorJson(e) }, null, 2)}\n`);
    } else {
      const red = colourFor(process.stderr) && !argv.includes('--no-color') ? (s: string) => `\x1b[31m${s}\x1b[39m` : (s: string) => s;
      process.stderr.write(`${red('cortex: error:')} ${oneLine(e)}\n`);
      if (withStack && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    }
    return exit;
  };
  const program = build(async (action, opts) => {
    const out = makeOutput(opts);
    try {
      await action(out);
    } catch (e) {
      code = fail(e, out.json, out.verbose);
    }
  });
  // Commander prints its own usage errors ("error: unknown option ..."); prefix them like ours,
  // and in JSON mode print nothing there (the JSON error below says it all).
  const output = {
    writeErr: (s: string) => {
      if (!json) process.stderr.write(s);
    },
    outputError: (s: string, write: (s: string) => void) => write(`cortex: ${s}`),
  };
  for (const cmd of [program, ...program.commands]) {
    cmd.exitOverride();
    cmd.configureOutput(output);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.ok; // --help, --version
      if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { type: 'UsageError', message: e.message.replace(/^error: /, ''), exitCode: EXIT.usage } }, null, 2)}\n`);
      return EXIT.usage;
    }
    return fail(e, json, verbose);
  }
  return code;
}
