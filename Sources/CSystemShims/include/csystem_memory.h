#ifndef CSYSTEM_MEMORY_H
#define CSYSTEM_MEMORY_H

/// Returns freed heap memory to the system (glibc's malloc_trim), e.g. after a large load.
void csystem_release_free_memory(void);

#endif
