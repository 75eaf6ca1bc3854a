<?php
require __DIR__ . '/../probe.php';
header('Content-Type: text/plain');
echo 'PROBE ' . json_encode(probe('cron')) . " END\n";
