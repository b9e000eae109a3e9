/*
 * names: what a username and a project name may be.  No I/O.
 *
 * Usernames: 1..NAMES_USER_MAX bytes of [a-z0-9._-], not starting with
 * '-' or '.', not a reserved word.  Narrower than Harbor (which allows
 * almost anything but a few punctuation marks) on purpose: a username is
 * the Basic user-id (no ':'), the token's sub and part of log lines; '/',
 * '@', '*', spaces, upper case and non-ASCII invite look-alikes and
 * quoting bugs; '$' keeps every user apart from robots ("robot$...").
 *
 * Project names: the registry's path-component grammar
 *   [a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*
 * of 1..NAMES_PROJECT_MAX bytes, not a reserved word.  A project is the
 * first component of a repository name, so any other name could never
 * hold an image.
 *
 * Each returns APP_OK or APP_EBADREQ with a static message in *why.
 */
#ifndef BERTH_NAMES_H
#define BERTH_NAMES_H

#include <stddef.h>

#include "err.h"

#define NAMES_USER_MAX		255
#define NAMES_PROJECT_MAX	255

enum app_err	names_check_user(const char *s, size_t len,
		    const char **why) WUR;
enum app_err	names_check_project(const char *s, size_t len,
		    const char **why) WUR;

#endif
