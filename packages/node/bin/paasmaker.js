#!/usr/bin/env node
// The paasmaker CLI is core's; this package brings the drivers and plugins it needs.
import '@paasmaker/core/cli';
