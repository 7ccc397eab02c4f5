#!/usr/bin/env node
// The `youju` command: runs src/cli/main.ts through tsx's loader.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
