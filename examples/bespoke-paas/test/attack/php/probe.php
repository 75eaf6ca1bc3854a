<?php
// The attacker's probe in PHP, run as a prepare and startup command (`php probe.php <stage>`)
// and served by Apache (web/index.php): each attempt to reach the node or another tenant.
function attempt(callable $action): string {
    set_error_handler(function ($no, $message) { throw new ErrorException($message); });
    try {
        $got = $action();
        if ($got === false) return 'denied (false)';
        return 'LEAKED: ' . substr((string) $got, 0, 2000);
    } catch (Throwable $error) {
        return 'denied (' . $error->getMessage() . ')';
    } finally {
        restore_error_handler();
    }
}

function probe(string $stage): array {
    $targets = json_decode(file_get_contents(__DIR__ . '/targets.json'), true);
    $data = $targets['dataFolder'];
    $pid = (int) $targets['nodePid'];
    $results = [
        'tokensFile' => attempt(fn () => file_get_contents("$data/tokens.json")),
        'database' => attempt(fn () => file_get_contents("$data/pacemaker.db")),
        'catalogue' => attempt(fn () => file_get_contents("$data/heart/catalogue.json")),
        'listDataFolder' => attempt(fn () => implode(',', scandir($data))),
        'listInstances' => attempt(fn () => implode(',', scandir("$data/heart/instances"))),
        'nodeEnviron' => attempt(fn () => file_get_contents("/proc/$pid/environ")),
        'writeDataFolder' => attempt(fn () => file_put_contents("$data/pwned-php-$stage", 'x')),
        'signalNode' => attempt(fn () => posix_kill($pid, 18) ? 'signalled' : false),
    ];
    if (!empty($targets['victimFolder']))
        $results['victimFolder'] = attempt(fn () => implode(',', scandir($targets['victimFolder'])));
    if (!empty($targets['victimPid']))
        $results['victimEnviron'] = attempt(fn () => file_get_contents('/proc/' . $targets['victimPid'] . '/environ'));
    $environment = getenv();
    ksort($environment);
    $results['ownEnvironment'] = implode(',', array_keys($environment));
    $results['ownEnvironmentValues'] = implode("\n", array_values($environment));
    return ['stage' => $stage, 'uid' => posix_getuid(), 'results' => $results];
}

if (PHP_SAPI === 'cli') echo 'PROBE ' . json_encode(probe($argv[1] ?? 'command')) . " END\n";
