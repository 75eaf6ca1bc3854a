<?php
// Answers on the port Paasmaker gives the instance's Apache, with the version from PM_METADATA.
$metadata = json_decode(getenv('PM_METADATA') ?: '{}', true);
$version = $metadata['application']['version'] ?? 'dev';
$greeting = getenv('GREETING') ?: 'Hello';
header('content-type: text/plain; charset=utf-8');
echo "{$greeting} from hello-php version {$version} (PHP " . PHP_VERSION . ")\n";
