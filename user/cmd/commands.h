/* SPDX-License-Identifier: GPL-2.0 */
/* Every subcommand's entry point; main.c dispatches to them by name. */
#ifndef ESPRIT_COMMANDS_H
#define ESPRIT_COMMANDS_H

int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_responder(int argc, char **argv);
int cmd_ping(int argc, char **argv);
int cmd_local_asn(int argc, char **argv);
int cmd_prefix(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_risav(int argc, char **argv);
int cmd_daemon(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_sa(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

#endif
