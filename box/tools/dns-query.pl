#!/usr/bin/perl
# One DNS A query over UDP for the box's checks (the host has no dig): dns-query.pl SERVER NAME
# prints "rcode=N" and each answered address on its own line; exits 1 without an answer in 3 s.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my ($server, $name) = @ARGV;
die "usage: dns-query.pl SERVER NAME\n" unless defined $name;
my $id = int(rand(65535));
my $q = pack('n n n n n n', $id, 0x0100, 1, 0, 0, 0)
  . join('', map { chr(length $_) . $_ } split /\./, $name) . "\0" . pack('n n', 1, 1);
my $s = IO::Socket::INET->new(PeerAddr => $server, PeerPort => 53, Proto => 'udp') or die "socket: $!\n";
$s->send($q) or die "send: $!\n";
IO::Select->new($s)->can_read(3) or do { print "no answer\n"; exit 1 };
$s->recv(my $r, 512);
my ($rid, $flags, $qd, $an) = unpack('n n n n', $r);
exit 1 unless $rid == $id;
print "rcode=" . ($flags & 0xf) . "\n";
my $pos = 12;
for (1 .. $qd) {
  while (1) { my $len = ord substr($r, $pos, 1); if ($len >= 0xc0) { $pos += 2; last } $pos++; last if $len == 0; $pos += $len; }
  $pos += 4;
}
for (1 .. $an) {
  my $len = ord substr($r, $pos, 1);
  if ($len >= 0xc0) { $pos += 2 } else { while ((my $l = ord substr($r, $pos, 1)) != 0) { $pos += $l + 1 } $pos++ }
  my ($type, $class, $ttl, $rdlen) = unpack('n n N n', substr($r, $pos, 10));
  $pos += 10;
  print join('.', unpack('C4', substr($r, $pos, 4))), "\n" if $type == 1 && $rdlen == 4;
  $pos += $rdlen;
}
