#!/usr/bin/perl
# Stderr filter of the ./densenet launcher: applies TF_CPP_MIN_LOG_LEVEL to the native log lines that
# TensorFlow's Abseil logging writes before absl::InitializeLog() is called (TensorFlow never calls it
# from the C API, so Abseil prints them whatever TF_CPP_MIN_LOG_LEVEL says), e.g.
#   WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
#   I0000 00:00:1796210506.114554    3610 mlir_graph_optimization_pass.cc:401] MLIR V1 optimization pass is not enabled
# Level 1 hides I lines, 2 also W lines and that WARNING, 3 also E lines; F (fatal) lines always pass,
# and so does every other byte, unchanged and without delay: a partial line (a progress bar redrawn
# with \r) is held only while it could still be the start of a native log line.
# Ignores SIGINT, SIGTERM and SIGHUP, which reach it with the JVM's (terminal, scancel): it ends when
# the JVM closes stderr, so the JVM's last words on a signal still pass through.
use strict;
use warnings;

$SIG{$_} = 'IGNORE' for qw(INT TERM HUP);
my $level = $ENV{TF_CPP_MIN_LOG_LEVEL} // '0';
$level = 0 unless $level =~ /^[0-3]$/;
my %hidden = (I => $level >= 1, W => $level >= 2, E => $level >= 3, F => 0);
my $banner = 'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR';
my $native = qr/^([IWEF])\d{4} \d\d:\d\d:[\d.]+ +\d+ [^ \]]+:\d+\] /;

binmode STDIN;
binmode STDOUT;
$| = 1;

# Whether a line (with its terminator) is a native log line that the level hides.
sub hide {
  my ($line) = @_;
  return $level >= 2 if index($line, $banner) == 0;
  return $line =~ $native ? $hidden{$1} : 0;
}

# Whether a partial line may still become a line that hide() drops: then it waits for its terminator.
sub undecided {
  my ($p) = @_;
  return 0 if length($p) > 4096;
  return 1 if substr($banner, 0, length $p) eq $p || index($p, $banner) == 0;
  return 1 if $p =~ /^[IWEF](\d{0,3}|\d{4}( [\d:.]*( +\d*( [^ \]]*(:\d*)?)?)?)?)$/;
  return 1 if $p =~ $native;
  return 0;
}

my $pending = '';   # start of the current line, not yet written
my $passing = 0;    # the current line was already judged harmless and partly written
while (1) {
  my $n = sysread(STDIN, my $chunk, 65536);
  last unless $n;
  my $out = '';
  for my $piece ($chunk =~ /([^\r\n]*(?:[\r\n]|$))/g) {
    next if $piece eq '';
    my $ends = $piece =~ /[\r\n]$/;
    if ($passing) {
      $out .= $piece;
    } else {
      $pending .= $piece;
      if ($ends) {
        $out .= $pending unless hide($pending);
        $pending = '';
      } elsif (!undecided($pending)) {
        $out .= $pending;
        $pending = '';
        $passing = 1;
      }
    }
    $passing = 0 if $ends;
  }
  print $out if $out ne '';
}
print $pending if $pending ne '' && !hide($pending);
