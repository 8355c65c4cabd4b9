/* The release version of the server, the CLI and the API. */
#ifndef MF_VERSION_H
#define MF_VERSION_H

#define MF_VERSION     "0.1.0"
#define MF_API_VERSION "v1"

#endif
