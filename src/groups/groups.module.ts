import { Module } from '@nestjs/common';

/** Groups: filled in by its own issue; the module exists so the layout shows every feature. */
@Module({})
export class GroupsModule {}
