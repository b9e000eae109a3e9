/*
 * version: what this build of berth is and which schema it expects.
 * BERTH_SCHEMA_VERSION must be the number of the newest file in sql/;
 * tests/unit/test_version.c checks that it is.
 */
#ifndef BERTH_VERSION_H
#define BERTH_VERSION_H

#define BERTH_VERSION		"0.1.0"
#define BERTH_SCHEMA_VERSION	2

#endif
