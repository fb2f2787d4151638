import { createInterface } from 'node:readline';

/**
 * Reads a password without it ever being a command-line argument (which `ps` and shell history
 * would show): from a hidden prompt on a terminal, else the first line of standard input.
 */
export async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    return input.split(/\r?\n/)[0] ?? '';
  }
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (text: string) => void };
    let prompted = false;
    // Echo the prompt once, then nothing of what is typed.
    output._writeToOutput = (text: string) => {
      if (!prompted) process.stdout.write(text);
      prompted = true;
    };
    rl.question(prompt, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}
