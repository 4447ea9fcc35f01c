#include <malloc.h>
#include "csystem_memory.h"

void csystem_release_free_memory(void) {
    malloc_trim(0);
}
