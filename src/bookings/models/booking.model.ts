import { Field, GraphQLISODateTime, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Contact } from '../../contacts/models/contact.model.js';
import { BookingStatus } from '../../generated/prisma/enums.js';
import { Paginated } from '../../graphql/pagination.js';

registerEnumType(BookingStatus, {
  name: 'BookingStatus',
  description:
    'GHL appointmentStatus mapped: new/booked → SCHEDULED, confirmed, showed → COMPLETED, noshow, cancelled/invalid → CANCELED.',
});

@ObjectType({ description: 'A GHL appointment, as a TrainU booking.' })
export class Booking {
  @Field(() => ID)
  id!: string;

  @Field()
  ghlAppointmentId!: string;

  @Field(() => Contact, { nullable: true })
  contact!: Contact | null;

  @Field(() => String, { nullable: true })
  calendarId!: string | null;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => BookingStatus)
  status!: BookingStatus;

  @Field(() => GraphQLISODateTime, { description: 'UTC.' })
  startsAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  endsAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'appointment.dateUpdated of the version stored.' })
  ghlUpdatedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  deletedAt!: Date | null;
}

@ObjectType()
export class BookingConnection extends Paginated(Booking) {}
