/*
 * fcgiend: finish a FastCGI request without libfcgi's lingering close.
 *
 * libfcgi ends every connection with shutdown(), then waits, up to two
 * seconds, for the web server to close its side, reading and dropping
 * whatever it still sends, so that no unread input turns the close into
 * a reset that could cost the web server the answer.  The worker sits
 * idle in that wait: with a few workers per program it, not the work,
 * bounds how many requests a second they serve.
 *
 * Once the input is read to its end (the empty stdin record that ends a
 * GET, or a body the handler read) the web server has nothing more to
 * send, so a plain close is as safe.  A body left unread (one refused
 * for its size) still gets the lingering close.
 */
#include <stdio.h>

#include "fcgiend.h"

void
fcgi_finish(FCGX_Request *fr)
{
	char	buf[1024];
	int	n = 0, left = FCGI_FINISH_DRAIN;

	while (left > 0 && (n = FCGX_GetStr(buf, sizeof(buf), fr->in)) > 0)
		left -= n;
	/*
	 * FCGX_Detach and FCGX_Attach only set a mark that FCGX_Finish_r
	 * reads when it closes the connection: detached, without shutdown()
	 * and the wait.  Set either way, for a connection the web server
	 * keeps open for the next request.
	 */
	if (n == 0 && FCGX_HasSeenEOF(fr->in) == EOF &&
	    FCGX_GetError(fr->in) == 0)
		(void)FCGX_Detach(fr);
	else
		(void)FCGX_Attach(fr);
	FCGX_Finish_r(fr);
}
