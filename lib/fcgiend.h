/*
 * fcgiend: finish a FastCGI request, closing its connection without
 * libfcgi's lingering close when that is safe.
 */
#ifndef BERTH_FCGIEND_H
#define BERTH_FCGIEND_H

#include <fcgiapp.h>

/*
 * FCGX_Finish_r, after reading what is left of the request's input (at
 * most FCGI_FINISH_DRAIN bytes).  Input read to its end: the connection
 * is closed at once.  Otherwise: libfcgi's own close, shutdown() and a
 * wait for the web server's side.
 */
#define FCGI_FINISH_DRAIN	4096

void	fcgi_finish(FCGX_Request *);

#endif
